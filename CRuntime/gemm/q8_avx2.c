/*
 * AVX2 int8 kernels. The GEMM takes the vpmaddwd route: panels hold int16
 * (two k values per column or row, sign-extended when packing), and each
 * step is vpmaddwd (16-bit products summed in pairs into 32 bits: exact,
 * |sum| <= 2 * 128 * 127) plus vpaddd. vpmaddubsw would be twice as dense
 * but saturates its 16-bit pair sums (255 * 127 * 2 > 32767), which would
 * break exactness. Tile: up to 6 rows x 16 columns (12 accumulators).
 *
 * Requantization (rq_vec) is q8_requant.h's rule on 8 lanes: |v| capped at
 * the limit, 32 x 32 -> 64-bit products on even and odd lanes (vpmuludq),
 * the rounding add and variable right shift in 64 bits, the sign restored
 * with vpsignd, then zero point and clamp. Compiled without -m flags: every
 * function carries its own target attribute.
 */
#include "igemm_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>
#include <string.h>

#define DK_AVX2 __attribute__((target("avx2")))
#define DK_INLINE static inline __attribute__((always_inline))

#define MR 4
#define NR 16
#define VL 8

/* One channel set's requantization constants, lane by lane. */
typedef struct rq8 {
    __m256i bias, mult_e, mult_o, shift_e, shift_o, rnd_e, rnd_o, limit;
} rq8;

DK_INLINE DK_AVX2 rq8 rq8_broadcast(int32_t bias, int32_t mult, int32_t shift, uint32_t limit) {
    rq8 r;
    r.bias = _mm256_set1_epi32(bias);
    r.mult_e = r.mult_o = _mm256_set1_epi32(mult);
    r.shift_e = r.shift_o = _mm256_set1_epi64x(shift);
    r.rnd_e = r.rnd_o = _mm256_set1_epi64x((long long)1 << (shift - 1));
    r.limit = _mm256_set1_epi32((int32_t)limit);
    return r;
}

/* Per-lane constants from 8 consecutive entries of the arrays. */
DK_INLINE DK_AVX2 rq8 rq8_load(const int32_t *bias, const int32_t *mult, const int32_t *shift, const uint32_t *limit) {
    rq8 r;
    const __m256i lo32 = _mm256_set1_epi64x(0xFFFFFFFFLL), one = _mm256_set1_epi64x(1);
    const __m256i m = _mm256_loadu_si256((const __m256i *)mult), s = _mm256_loadu_si256((const __m256i *)shift);
    r.bias = _mm256_loadu_si256((const __m256i *)bias);
    r.mult_e = m;
    r.mult_o = _mm256_srli_epi64(m, 32);
    r.shift_e = _mm256_and_si256(s, lo32);
    r.shift_o = _mm256_srli_epi64(s, 32);
    r.rnd_e = _mm256_sllv_epi64(one, _mm256_sub_epi64(r.shift_e, one));
    r.rnd_o = _mm256_sllv_epi64(one, _mm256_sub_epi64(r.shift_o, one));
    r.limit = _mm256_loadu_si256((const __m256i *)limit);
    return r;
}

/* The rule on acc + bias, lanes in [lo, hi]. */
DK_INLINE DK_AVX2 __m256i rq_vec(__m256i acc, const rq8 *r, const dk_q8_out *o) {
    const __m256i v = _mm256_add_epi32(acc, r->bias);
    const __m256i a = _mm256_min_epu32(_mm256_abs_epi32(v), r->limit);
    __m256i pe = _mm256_mul_epu32(a, r->mult_e);
    __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), r->mult_o);
    pe = _mm256_srlv_epi64(_mm256_add_epi64(pe, r->rnd_e), r->shift_e);
    po = _mm256_srlv_epi64(_mm256_add_epi64(po, r->rnd_o), r->shift_o);
    __m256i q = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA);
    q = _mm256_add_epi32(_mm256_sign_epi32(q, v), _mm256_set1_epi32(o->zero));
    return _mm256_min_epi32(_mm256_max_epi32(q, _mm256_set1_epi32(o->lo)), _mm256_set1_epi32(o->hi));
}

/* 8 lanes already in [-128, 127] to 8 bytes (the low half of the result). */
DK_INLINE DK_AVX2 __m128i narrow8(__m256i q) {
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    return _mm_packs_epi16(w, w);
}

/* ---- GEMM microkernel ------------------------------------------------------------ */

DK_INLINE DK_AVX2 void store_row(int8_t *c, __m128i bytes, size_t nr) {
    if (nr >= 16) {
        _mm_storeu_si128((__m128i *)c, bytes);
    } else {
        int8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, bytes);
        memcpy(c, tmp, nr);
    }
}

/* Requantizes and stores one row of a tile: lanes 0-7 with r0, then (nr > 8) lanes 8-15 with r1. */
DK_INLINE DK_AVX2 void out_row(int8_t *c, const int32_t *acc, size_t nr, const rq8 *r0, const rq8 *r1,
                               const dk_q8_out *o) {
    const __m256i q0 = rq_vec(_mm256_load_si256((const __m256i *)acc), r0, o);
    const __m256i q1 = nr > VL ? rq_vec(_mm256_load_si256((const __m256i *)(acc + VL)), r1, o) : q0;
    const __m128i w0 = _mm_packs_epi32(_mm256_castsi256_si128(q0), _mm256_extracti128_si256(q0, 1));
    const __m128i w1 = _mm_packs_epi32(_mm256_castsi256_si128(q1), _mm256_extracti128_si256(q1, 1));
    store_row(c, _mm_packs_epi16(w0, w1), nr);
}

/*
 * Requantizes and stores a tile's accumulators (h rows of NR in acc, nr of them real). One
 * out-of-line body for every tile shape (inlined into all 8, the requantization made them 14 KB);
 * the accumulators' round trip through L1 costs a few cycles per tile against the k loop.
 */
__attribute__((noinline)) DK_AVX2 static void store_tile(const int32_t *acc, size_t h, size_t nr, int8_t *c,
                                                         size_t ldc, const dk_q8_tile *tp) {
    const dk_q8_tile t = *tp; /* a copy, which C's stores cannot alias, so its fields stay in registers */
    if (t.chan_cols) {
        const rq8 c0 = rq8_load(t.bias, t.mult, t.shift, t.limit);
        const rq8 c1 = nr > VL ? rq8_load(t.bias + VL, t.mult + VL, t.shift + VL, t.limit + VL) : c0;
        for (size_t i = 0; i < h; i++) out_row(c + i * ldc, acc + i * NR, nr, &c0, &c1, &t.out);
    } else {
        for (size_t i = 0; i < h; i++) {
            const rq8 r = rq8_broadcast(t.bias[i], t.mult[i], t.shift[i], t.limit[i]);
            out_row(c + i * ldc, acc + i * NR, nr, &r, &r, &t.out);
        }
    }
}

/*
 * The H x (NV * 8) tile; H and NV are constants once inlined. Named
 * accumulators, not an array, so that GCC keeps them in registers.
 */
DK_INLINE DK_AVX2 void tile(size_t kgroups, const int16_t *a, const int16_t *b, size_t nr, int8_t *c, size_t ldc,
                            const dk_q8_tile *t, const int H, const int NV) {
    const __m256i z = _mm256_setzero_si256();
    __m256i r0a = z, r0b = z, r1a = z, r1b = z, r2a = z, r2b = z, r3a = z, r3b = z, r4a = z, r4b = z;
    __m256i r5a = z, r5b = z;
#define DK_ROW(i)                                                                      \
    if (H > i) {                                                                       \
        int32_t pair;                                                                  \
        memcpy(&pair, a + 2 * i, sizeof pair);                                         \
        const __m256i ai = _mm256_set1_epi32(pair);                                    \
        r##i##a = _mm256_add_epi32(r##i##a, _mm256_madd_epi16(b0, ai));               \
        if (NV > 1) r##i##b = _mm256_add_epi32(r##i##b, _mm256_madd_epi16(b1, ai));    \
    }
    for (size_t p = 0; p < kgroups; p++) {
        const __m256i b0 = _mm256_loadu_si256((const __m256i *)b);
        const __m256i b1 = NV > 1 ? _mm256_loadu_si256((const __m256i *)(b + 16)) : b0;
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5)
        a += 2 * H;
        b += 16 * NV;
    }
#undef DK_ROW
    int32_t acc[MR * NR] __attribute__((aligned(32)));
#define DK_SAVE(i)                                                                      \
    if (H > i) {                                                                        \
        _mm256_store_si256((__m256i *)(acc + (i) * NR), r##i##a);                       \
        if (NV > 1) _mm256_store_si256((__m256i *)(acc + (i) * NR + VL), r##i##b);      \
    }
    DK_SAVE(0) DK_SAVE(1) DK_SAVE(2) DK_SAVE(3) DK_SAVE(4) DK_SAVE(5)
#undef DK_SAVE
    store_tile(acc, (size_t)H, nr, c, ldc, t);
}

typedef void (*tile_fn)(size_t kgroups, const int16_t *a, const int16_t *b, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t);
#define DK_TILE(h, nv)                                                                                    \
    __attribute__((noinline)) DK_AVX2 static void tile_##h##_##nv(size_t kgroups, const int16_t *a,       \
                                                                  const int16_t *b, size_t nr, int8_t *c, \
                                                                  size_t ldc, const dk_q8_tile *t) {      \
        tile(kgroups, a, b, nr, c, ldc, t, h, nv);                                                        \
    }
#define DK_TILES(h) DK_TILE(h, 1) DK_TILE(h, 2)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4)
#undef DK_TILES
#undef DK_TILE

static const tile_fn tiles[MR][2] = {
    {tile_1_1, tile_1_2}, {tile_2_1, tile_2_2}, {tile_3_1, tile_3_2}, {tile_4_1, tile_4_2},
};

static void kernel_avx2(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t) {
    tiles[h - 1][(nr + VL - 1) / VL - 1](kgroups, a, b, nr, c, ldc, t);
}

const dk_q8_cfg dk_q8_cfg_avx2 = {
    .id = DK_Q8_CFG_AVX2, .mr = MR, .nr = NR, .vl = VL, .kg = 2, .esize = 2, .act_offset = 0,
    .kernel = kernel_avx2,
};

/* ---- rows ------------------------------------------------------------------------ */

DK_AVX2 static void requant_avx2(const int32_t *acc, size_t n, int32_t bias, const dk_q8_rq *rq, const dk_q8_out *o,
                                 int8_t *y) {
    const rq8 r = rq8_broadcast(bias, rq->mult, rq->shift, rq->limit);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storel_epi64((__m128i *)(y + i), narrow8(rq_vec(_mm256_loadu_si256((const __m256i *)(acc + i)), &r, o)));
    dk_q8_rows_scalar.requant(acc + i, n - i, bias, rq, o, y + i);
}

/* Requantizes 8 accumulators and stores the first n <= 8 of them. */
DK_INLINE DK_AVX2 void store8(int8_t *y, __m256i acc, const rq8 *r, const dk_q8_out *o, size_t n) {
    const __m128i b = narrow8(rq_vec(acc, r, o));
    if (n >= 8) {
        _mm_storel_epi64((__m128i *)y, b);
    } else {
        int8_t tmp[16];
        _mm_storeu_si128((__m128i *)tmp, b);
        memcpy(y, tmp, n);
    }
}

/* Stride 1's lane order (0-3, 8-11 | 4-7, 12-15) back in order; stores the first n of 16 outputs. */
DK_INLINE DK_AVX2 void store16_unpacked(int8_t *y, __m256i lo, __m256i hi, const rq8 *r, const dk_q8_out *o,
                                        size_t n) {
    store8(y, _mm256_permute2x128_si256(lo, hi, 0x20), r, o, n);
    if (n > 8) store8(y + 8, _mm256_permute2x128_si256(lo, hi, 0x31), r, o, n - 8);
}

/* Two taps of 16 outputs (input vectors at pa and pb, weights wp): interleaved, one vpmaddwd per half. */
DK_INLINE DK_AVX2 void tap_pair(const int16_t *pa, const int16_t *pb, __m256i wp, __m256i *lo, __m256i *hi) {
    const __m256i a = _mm256_loadu_si256((const __m256i *)pa), b = _mm256_loadu_si256((const __m256i *)pb);
    *lo = _mm256_add_epi32(*lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), wp));
    *hi = _mm256_add_epi32(*hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), wp));
}

/*
 * Depthwise plane, horizontal dilation 1, stride 1 or 2. Taps go in pairs
 * (kj, kj + 1) through vpmaddwd: each 32-bit lane holds the two inputs of one
 * output. Stride 2: those are adjacent, so a plain load of 16 int16 gives 8
 * outputs. Stride 1: loads at kj and kj + 1, interleaved by vpunpck{l,h}wd,
 * give 16 outputs in the lane order (0-3, 8-11 | 4-7, 12-15), put back in
 * order once, after the last tap. Rows end with whole vectors: the lanes
 * past wo read the plane's slack and are not stored.
 */
DK_AVX2 static void dw_plane_avx2(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, int32_t bias,
                                  const dk_q8_rq *rq, const dk_q8_out *o, int8_t *y) {
    if (g->dw != 1 || (g->sw != 1 && g->sw != 2)) {
        dk_q8_rows_scalar.dw_plane(g, d, w, bias, rq, o, y);
        return;
    }
    const rq8 r = rq8_broadcast(bias, rq->mult, rq->shift, rq->limit);
    const dk_q8_out out = *o; /* a copy, which the int8 stores cannot alias: its fields stay in registers */
    o = &out;
    const size_t wo = g->wo, block = g->sw == 1 ? 16 : 8;
    for (size_t oh = 0; oh < g->ho; oh++, y += wo) {
        for (size_t ow = 0; ow < wo; ow += block) {
            __m256i lo = _mm256_setzero_si256(), hi = lo;
            for (size_t ki = 0; ki < g->kh; ki++) {
                const int16_t *row = d + (oh * g->sh + ki * g->dh) * g->pitch + ow * g->sw;
                const int8_t *wk = w + ki * g->kw;
                for (size_t kj = 0; kj < g->kw; kj += 2) {
                    const __m256i wp = _mm256_set1_epi32(dk_q8_weight_pair(wk[kj], kj + 1 < g->kw ? wk[kj + 1] : 0));
                    if (g->sw == 2)
                        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(row + kj)), wp));
                    else tap_pair(row + kj, row + kj + 1, wp, &lo, &hi);
                }
            }
            const size_t n = wo - ow < block ? wo - ow : block;
            if (g->sw == 2) store8(y + ow, lo, &r, o, n);
            else store16_unpacked(y + ow, lo, hi, &r, o, n);
        }
    }
}

DK_AVX2 static void widen_avx2(const int8_t *x, size_t n, int32_t z, int16_t *d) {
    const __m256i vz = _mm256_set1_epi16((int16_t)z);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i v = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + i)));
        _mm256_storeu_si256((__m256i *)(d + i), _mm256_sub_epi16(v, vz));
    }
    dk_q8_rows_scalar.widen(x + i, n - i, z, d + i);
}

/* (x[i] - z) * m for 8 int8 at x, in 32-bit lanes. */
DK_INLINE DK_AVX2 __m256i scaled8(const int8_t *x, __m256i z, __m256i m) {
    const __m256i v = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)x));
    return _mm256_mullo_epi32(_mm256_sub_epi32(v, z), m);
}

DK_AVX2 static void requant2_avx2(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, size_t n,
                                  const dk_q8_rq2 *rq, const dk_q8_out *o, int8_t *y) {
    const __m256i vza = _mm256_set1_epi32(za), vzb = _mm256_set1_epi32(zb);
    const __m256i ma = _mm256_set1_epi32(rq->mult_a), mb = _mm256_set1_epi32(rq->mult_b);
    const __m256i rnd = _mm256_set1_epi32((int32_t)(1u << (rq->shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(rq->shift);
    const __m256i zero = _mm256_set1_epi32(o->zero), lo = _mm256_set1_epi32(o->lo), hi = _mm256_set1_epi32(o->hi);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i v = scaled8(a + i, vza, ma);
        if (b != NULL) v = _mm256_add_epi32(v, scaled8(b + i, vzb, mb));
        /* |v| + 2^(shift-1) < 2^32: the shift is logical */
        __m256i q = _mm256_srl_epi32(_mm256_add_epi32(_mm256_abs_epi32(v), rnd), sh);
        q = _mm256_add_epi32(_mm256_sign_epi32(q, v), zero);
        q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
        _mm_storel_epi64((__m128i *)(y + i), narrow8(q));
    }
    dk_q8_rows_scalar.requant2(a + i, za, b != NULL ? b + i : NULL, zb, n - i, rq, o, y + i);
}

DK_AVX2 static void quantize_avx2(const float *x, size_t n, float scale, const dk_q8_out *o, int8_t *y) {
    const __m256 s = _mm256_set1_ps(scale), lo_f = _mm256_set1_ps(-1024.0f), hi_f = _mm256_set1_ps(1024.0f);
    const __m256i zero = _mm256_set1_epi32(o->zero), lo = _mm256_set1_epi32(o->lo), hi = _mm256_set1_epi32(o->hi);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 q = _mm256_div_ps(_mm256_loadu_ps(x + i), s);
        q = _mm256_and_ps(q, _mm256_cmp_ps(q, q, _CMP_ORD_Q)); /* NaN -> 0 */
        q = _mm256_min_ps(_mm256_max_ps(q, lo_f), hi_f);
        q = _mm256_round_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256i v = _mm256_add_epi32(_mm256_cvttps_epi32(q), zero);
        v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
        _mm_storel_epi64((__m128i *)(y + i), narrow8(v));
    }
    dk_q8_rows_scalar.quantize(x + i, n - i, scale, o, y + i);
}

const dk_q8_rows dk_q8_rows_avx2 = {
    .requant = requant_avx2, .dw_plane = dw_plane_avx2, .requant2 = requant2_avx2, .quantize = quantize_avx2,
    .widen = widen_avx2, .dw_block = 16,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_q8_avx2_unused;
#endif
