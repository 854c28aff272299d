/*
 * AVX-512 int8 kernels. The GEMM uses VNNI's vpdpbusd: per 32-bit lane,
 * four unsigned-by-signed byte products summed into the accumulator with a
 * wrapping add, no intermediate saturation (|sum of 4| <= 4 * 255 * 127).
 * The unsigned operand is the activations, packed as x + 128; the packed
 * bias absorbs the 128 * sum(w) that adds (igemm.c). Panels hold 4 k values
 * per row or column; tile up to 12 rows x 32 columns (24 zmm accumulators,
 * two B vectors, one broadcast). With the weights as A (conv) each row's 4
 * bytes are a broadcast memory operand; as B (dense) the broadcast is the
 * activations. The last vector of a ragged tile stores under a byte mask.
 *
 * An AVX-512 CPU without VNNI runs the AVX2 GEMM and row kernels (igemm.c):
 * the depthwise kernels here accumulate tap pairs with VNNI's vpdpwssd.
 * Requantization (rq_vec) is q8_avx2.c's on 16 lanes; where 32 outputs are
 * stored together, narrow32 finishes both halves in one pass. Compiled
 * without -m flags: every function carries its own target attribute.
 */
#include "igemm_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>
#include <string.h>

#define DK_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2")))
#define DK_VNNI __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx512vnni,avx2")))
#define DK_INLINE static inline __attribute__((always_inline))

#define MR 12
#define NR 32
#define VL 16

typedef struct rq16 {
    __m512i bias, mult_e, mult_o, shift_e, shift_o, rnd_e, rnd_o, limit;
} rq16;

DK_INLINE DK_AVX512 rq16 rq16_broadcast(int32_t bias, int32_t mult, int32_t shift, uint32_t limit) {
    rq16 r;
    r.bias = _mm512_set1_epi32(bias);
    r.mult_e = r.mult_o = _mm512_set1_epi32(mult);
    r.shift_e = r.shift_o = _mm512_set1_epi64(shift);
    r.rnd_e = r.rnd_o = _mm512_set1_epi64((long long)1 << (shift - 1));
    r.limit = _mm512_set1_epi32((int32_t)limit);
    return r;
}

DK_INLINE DK_AVX512 rq16 rq16_load(const int32_t *bias, const int32_t *mult, const int32_t *shift,
                                   const uint32_t *limit) {
    rq16 r;
    const __m512i lo32 = _mm512_set1_epi64(0xFFFFFFFFLL), one = _mm512_set1_epi64(1);
    const __m512i m = _mm512_loadu_si512(mult), s = _mm512_loadu_si512(shift);
    r.bias = _mm512_loadu_si512(bias);
    r.mult_e = m;
    r.mult_o = _mm512_srli_epi64(m, 32);
    r.shift_e = _mm512_and_si512(s, lo32);
    r.shift_o = _mm512_srli_epi64(s, 32);
    r.rnd_e = _mm512_sllv_epi64(one, _mm512_sub_epi64(r.shift_e, one));
    r.rnd_o = _mm512_sllv_epi64(one, _mm512_sub_epi64(r.shift_o, one));
    r.limit = _mm512_loadu_si512(limit);
    return r;
}

/* The rule on acc + bias up to the zero point and the clamp: sign(v) * rshr(min(|v|, limit) * mult, shift). */
DK_INLINE DK_AVX512 __m512i rq_scaled(__m512i acc, const rq16 *r) {
    const __m512i v = _mm512_add_epi32(acc, r->bias);
    const __m512i a = _mm512_min_epu32(_mm512_abs_epi32(v), r->limit);
    __m512i pe = _mm512_mul_epu32(a, r->mult_e);
    __m512i po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), r->mult_o);
    pe = _mm512_srlv_epi64(_mm512_add_epi64(pe, r->rnd_e), r->shift_e);
    po = _mm512_srlv_epi64(_mm512_add_epi64(po, r->rnd_o), r->shift_o);
    const __m512i q = _mm512_mask_blend_epi32((__mmask16)0xAAAA, pe, _mm512_slli_epi64(po, 32));
    const __mmask16 neg = _mm512_cmplt_epi32_mask(v, _mm512_setzero_si512());
    return _mm512_mask_sub_epi32(q, neg, _mm512_setzero_si512(), q);
}

/* The rule on acc + bias, lanes in [lo, hi]. */
DK_INLINE DK_AVX512 __m512i rq_vec(__m512i acc, const rq16 *r, const dk_q8_out *o) {
    const __m512i q = _mm512_add_epi32(rq_scaled(acc, r), _mm512_set1_epi32(o->zero));
    return _mm512_min_epi32(_mm512_max_epi32(q, _mm512_set1_epi32(o->lo)), _mm512_set1_epi32(o->hi));
}

/*
 * The rule's last steps on two vectors of rq_scaled values at once, as 32 int8 lanes in
 * vpackssdw's order (per 128-bit lane: 4 of a, then 4 of b): saturate to int16, add the zero
 * point with saturation, saturate to int8, clamp. The same as rq_vec's exact sum and clamp,
 * because each step is monotone and [lo, hi] lies inside every range saturated to.
 */
DK_INLINE DK_AVX512 __m256i narrow32(__m512i a, __m512i b, const dk_q8_out *o) {
    const __m512i v = _mm512_adds_epi16(_mm512_packs_epi32(a, b), _mm512_set1_epi16((int16_t)o->zero));
    const __m256i q = _mm512_cvtsepi16_epi8(v);
    return _mm256_min_epi8(_mm256_max_epi8(q, _mm256_set1_epi8((char)o->lo)), _mm256_set1_epi8((char)o->hi));
}

/*
 * acc += dpbusd(u, s): u the unsigned bytes, s the signed ones. GCC 12 wraps
 * its builtin in register copies and, with 24 accumulators live, spills every
 * one of them to the stack on each step; the same instruction as inline asm
 * with the accumulator tied ("+v") compiles to one instruction.
 */
#if defined(__clang__)
#define DK_DPBUSD(acc, u, s) ((acc) = _mm512_dpbusd_epi32((acc), (u), (s)))
#else
#define DK_DPBUSD(acc, u, s) __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s))
#endif

/* The first n of 16 lanes; of 32 lanes. */
static inline __mmask16 first(size_t n) { return (__mmask16)(n >= 16 ? 0xFFFFu : (1u << n) - 1u); }
static inline __mmask32 first32(size_t n) { return n >= 32 ? 0xFFFFFFFFu : (1u << n) - 1u; }

/* ---- GEMM microkernel (VNNI) ------------------------------------------------------- */

/* Requantizes and stores one row of a tile: its first 16 lanes with r0, the next 16 (nr > 16) with r1. */
DK_INLINE DK_AVX512 void store_row(int8_t *c, const int32_t *acc, size_t nr, const rq16 *r0, const rq16 *r1,
                                   const dk_q8_out *o) {
    const __m512i q0 = rq_scaled(_mm512_load_si512(acc), r0);
    const __m512i q1 = nr > VL ? rq_scaled(_mm512_load_si512(acc + VL), r1) : q0;
    const __m256i in_order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7); /* vpackssdw's dwords back in order */
    _mm256_mask_storeu_epi8(c, first32(nr), _mm256_permutevar8x32_epi32(narrow32(q0, q1, o), in_order));
}

/*
 * Requantizes and stores a tile's accumulators (h rows of NR in acc, nr of them real). One
 * out-of-line body for every tile shape: inlined into all 96, the requantization made them 95 KB;
 * the accumulators' round trip through L1 costs a few cycles per tile against the k loop.
 */
__attribute__((noinline)) DK_AVX512 static void store_tile(const int32_t *acc, size_t h, size_t nr, int8_t *c,
                                                           size_t ldc, const dk_q8_tile *tp) {
    const dk_q8_tile t = *tp; /* a copy, which C's stores cannot alias, so its fields stay in registers */
    if (t.chan_cols) {
        const rq16 c0 = rq16_load(t.bias, t.mult, t.shift, t.limit);
        const rq16 c1 = nr > VL ? rq16_load(t.bias + VL, t.mult + VL, t.shift + VL, t.limit + VL) : c0;
        for (size_t i = 0; i < h; i++) store_row(c + i * ldc, acc + i * NR, nr, &c0, &c1, &t.out);
    } else {
        for (size_t i = 0; i < h; i++) {
            const rq16 r = rq16_broadcast(t.bias[i], t.mult[i], t.shift[i], t.limit[i]);
            store_row(c + i * ldc, acc + i * NR, nr, &r, &r, &t.out);
        }
    }
}

/*
 * The H x (NV * 16) tile; COLS: the weights are B (dense) and A the unsigned
 * activations. Named accumulators, not an array, so that GCC keeps them in
 * registers across the k loop.
 */
DK_INLINE DK_VNNI void tile(size_t kgroups, const uint8_t *a, const uint8_t *b, size_t nr, int8_t *c, size_t ldc,
                            const dk_q8_tile *t, const int H, const int NV, const int COLS) {
    const __m512i z = _mm512_setzero_si512();
    __m512i r0a = z, r0b = z, r1a = z, r1b = z, r2a = z, r2b = z, r3a = z, r3b = z, r4a = z, r4b = z;
    __m512i r5a = z, r5b = z, r6a = z, r6b = z, r7a = z, r7b = z, r8a = z, r8b = z, r9a = z, r9b = z;
    __m512i r10a = z, r10b = z, r11a = z, r11b = z;
#define DK_DP(acc, bv, ai)           \
    do {                             \
        if (COLS) DK_DPBUSD(acc, ai, bv); \
        else DK_DPBUSD(acc, bv, ai);      \
    } while (0)
#define DK_ROW(i)                                                  \
    if (H > i) {                                                   \
        int32_t quad;                                              \
        memcpy(&quad, a + 4 * i, sizeof quad);                     \
        const __m512i ai = _mm512_set1_epi32(quad);                \
        DK_DP(r##i##a, b0, ai);                                    \
        if (NV > 1) DK_DP(r##i##b, b1, ai);                        \
    }
    for (size_t p = 0; p < kgroups; p++) {
        const __m512i b0 = _mm512_loadu_si512(b);
        const __m512i b1 = NV > 1 ? _mm512_loadu_si512(b + 64) : b0;
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5)
        DK_ROW(6) DK_ROW(7) DK_ROW(8) DK_ROW(9) DK_ROW(10) DK_ROW(11)
        a += 4 * H;
        b += 64 * NV;
    }
#undef DK_ROW
#undef DK_DP
    int32_t acc[MR * NR] __attribute__((aligned(64)));
#define DK_SAVE(i)                                                                  \
    if (H > i) {                                                                    \
        _mm512_store_si512(acc + (i) * NR, r##i##a);                                \
        if (NV > 1) _mm512_store_si512(acc + (i) * NR + 16, r##i##b);               \
    }
    DK_SAVE(0) DK_SAVE(1) DK_SAVE(2) DK_SAVE(3) DK_SAVE(4) DK_SAVE(5)
    DK_SAVE(6) DK_SAVE(7) DK_SAVE(8) DK_SAVE(9) DK_SAVE(10) DK_SAVE(11)
#undef DK_SAVE
    store_tile(acc, (size_t)H, nr, c, ldc, t);
}

typedef void (*tile_fn)(size_t kgroups, const uint8_t *a, const uint8_t *b, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t);
#define DK_TILE(h, nv, cols)                                                                                  \
    __attribute__((noinline)) DK_VNNI static void tile_##h##_##nv##_##cols(                                  \
        size_t kgroups, const uint8_t *a, const uint8_t *b, size_t nr, int8_t *c, size_t ldc,                 \
        const dk_q8_tile *t) {                                                                                \
        tile(kgroups, a, b, nr, c, ldc, t, h, nv, cols);                                                      \
    }
#define DK_TILES(h) DK_TILE(h, 1, 0) DK_TILE(h, 2, 0) DK_TILE(h, 1, 1) DK_TILE(h, 2, 1)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4) DK_TILES(5) DK_TILES(6)
DK_TILES(7) DK_TILES(8) DK_TILES(9) DK_TILES(10) DK_TILES(11) DK_TILES(12)
#undef DK_TILES
#undef DK_TILE

#define DK_ROW_OF(h) {{tile_##h##_1_0, tile_##h##_2_0}, {tile_##h##_1_1, tile_##h##_2_1}}
static const tile_fn tiles[MR][2][2] = {
    DK_ROW_OF(1), DK_ROW_OF(2), DK_ROW_OF(3), DK_ROW_OF(4), DK_ROW_OF(5), DK_ROW_OF(6),
    DK_ROW_OF(7), DK_ROW_OF(8), DK_ROW_OF(9), DK_ROW_OF(10), DK_ROW_OF(11), DK_ROW_OF(12),
};
#undef DK_ROW_OF

static void kernel_vnni(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t) {
    tiles[h - 1][t->chan_cols != 0][(nr + VL - 1) / VL - 1](kgroups, a, b, nr, c, ldc, t);
}

const dk_q8_cfg dk_q8_cfg_avx512_vnni = {
    .id = DK_Q8_CFG_AVX512_VNNI, .mr = MR, .nr = NR, .vl = VL, .kg = 4, .esize = 1, .act_offset = 128,
    .kernel = kernel_vnni,
};

/* ---- rows ------------------------------------------------------------------------------ */

DK_AVX512 static void requant_avx512(const int32_t *acc, size_t n, int32_t bias, const dk_q8_rq *rq,
                                     const dk_q8_out *o, int8_t *y) {
    const rq16 r = rq16_broadcast(bias, rq->mult, rq->shift, rq->limit);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first(n - i);
        const __m512i v = _mm512_maskz_loadu_epi32(m, acc + i);
        _mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(rq_vec(v, &r, o)));
    }
}

/* Requantizes 16 accumulators and stores the first n of them. */
DK_INLINE DK_AVX512 void store16(int8_t *y, __m512i acc, const rq16 *r, const dk_q8_out *o, size_t n) {
    _mm_mask_storeu_epi8(y, first(n), _mm512_cvtepi32_epi8(rq_vec(acc, r, o)));
}

/*
 * Stride 1's lane order (lo: outputs 0-3, 8-11, 16-19, 24-27; hi: 4-7, ...) is vpackssdw's, so
 * narrow32 puts the 32 outputs in order; stores the first n.
 */
DK_INLINE DK_AVX512 void store32_unpacked(int8_t *y, __m512i lo, __m512i hi, const rq16 *r, const dk_q8_out *o,
                                          size_t n) {
    _mm256_mask_storeu_epi8(y, first32(n), narrow32(rq_scaled(lo, r), rq_scaled(hi, r), o));
}

/* Two taps of 32 outputs (input vectors at pa and pb, weights wp): interleaved, one vpdpwssd per half. */
DK_INLINE DK_VNNI void tap_pair(const int16_t *pa, const int16_t *pb, __m512i wp, __m512i *lo, __m512i *hi) {
    const __m512i a = _mm512_loadu_si512(pa), b = _mm512_loadu_si512(pb);
    *lo = _mm512_dpwssd_epi32(*lo, _mm512_unpacklo_epi16(a, b), wp);
    *hi = _mm512_dpwssd_epi32(*hi, _mm512_unpackhi_epi16(a, b), wp);
}

/*
 * 3x3, stride 1, dilation 1 (most depthwise layers): the weights as five
 * pairs broadcast once per plane, pairs that cross rows ((0,2) with (1,2),
 * (2,2) alone), so 32 outputs take five tap pairs, not the general loop's six.
 */
DK_VNNI static void dw3x3_s1_avx512(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, const rq16 *r,
                                    const dk_q8_out *o, int8_t *y) {
    const __m512i w01 = _mm512_set1_epi32(dk_q8_weight_pair(w[0], w[1]));
    const __m512i w34 = _mm512_set1_epi32(dk_q8_weight_pair(w[3], w[4]));
    const __m512i w67 = _mm512_set1_epi32(dk_q8_weight_pair(w[6], w[7]));
    const __m512i w25 = _mm512_set1_epi32(dk_q8_weight_pair(w[2], w[5]));
    const __m512i w8 = _mm512_set1_epi32(dk_q8_weight_pair(w[8], 0));
    const size_t wo = g->wo, pitch = g->pitch;
    for (size_t oh = 0; oh < g->ho; oh++, y += wo) {
        for (size_t ow = 0; ow < wo; ow += 32) {
            const int16_t *r0 = d + oh * pitch + ow, *r1 = r0 + pitch, *r2 = r1 + pitch;
            __m512i lo = _mm512_setzero_si512(), hi = lo;
            tap_pair(r0, r0 + 1, w01, &lo, &hi);
            tap_pair(r1, r1 + 1, w34, &lo, &hi);
            tap_pair(r2, r2 + 1, w67, &lo, &hi);
            tap_pair(r0 + 2, r1 + 2, w25, &lo, &hi);
            tap_pair(r2 + 2, r2 + 3, w8, &lo, &hi);
            store32_unpacked(y + ow, lo, hi, r, o, wo - ow < 32 ? wo - ow : 32);
        }
    }
}

/*
 * Depthwise plane, horizontal dilation 1, stride 1 or 2: q8_avx2.c's tap
 * pairs (vpmaddwd there, vpdpwssd here) on 16 lanes. Stride 2: a plain load
 * of 32 int16 gives 16 outputs. Stride 1: 32 outputs in the lane order (0-3,
 * 8-11, 16-19, 24-27 | 4-7, ...), which narrow32 puts back in order
 * (store32_unpacked).
 */
DK_VNNI static void dw_plane_avx512(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, int32_t bias,
                                    const dk_q8_rq *rq, const dk_q8_out *o, int8_t *y) {
    if (g->dw != 1 || (g->sw != 1 && g->sw != 2)) {
        dk_q8_rows_scalar.dw_plane(g, d, w, bias, rq, o, y);
        return;
    }
    const rq16 r = rq16_broadcast(bias, rq->mult, rq->shift, rq->limit);
    const dk_q8_out out = *o; /* a copy, which the int8 stores cannot alias: its fields stay in registers */
    o = &out;
    if (g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->dh == 1) {
        dw3x3_s1_avx512(g, d, w, &r, o, y);
        return;
    }
    const size_t wo = g->wo, block = g->sw == 1 ? 32 : 16;
    for (size_t oh = 0; oh < g->ho; oh++, y += wo) {
        for (size_t ow = 0; ow < wo; ow += block) {
            __m512i lo = _mm512_setzero_si512(), hi = lo;
            for (size_t ki = 0; ki < g->kh; ki++) {
                const int16_t *row = d + (oh * g->sh + ki * g->dh) * g->pitch + ow * g->sw;
                const int8_t *wk = w + ki * g->kw;
                for (size_t kj = 0; kj < g->kw; kj += 2) {
                    const __m512i wp = _mm512_set1_epi32(dk_q8_weight_pair(wk[kj], kj + 1 < g->kw ? wk[kj + 1] : 0));
                    if (g->sw == 2) lo = _mm512_dpwssd_epi32(lo, _mm512_loadu_si512(row + kj), wp);
                    else tap_pair(row + kj, row + kj + 1, wp, &lo, &hi);
                }
            }
            const size_t n = wo - ow < block ? wo - ow : block;
            if (g->sw == 2) store16(y + ow, lo, &r, o, n);
            else store32_unpacked(y + ow, lo, hi, &r, o, n);
        }
    }
}

DK_AVX512 static void widen_avx512(const int8_t *x, size_t n, int32_t z, int16_t *d) {
    const __m512i vz = _mm512_set1_epi16((int16_t)z);
    for (size_t i = 0; i < n; i += 32) {
        const __mmask32 m = n - i >= 32 ? 0xFFFFFFFFu : (1u << (n - i)) - 1u;
        const __m512i v = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, x + i));
        _mm512_mask_storeu_epi16(d + i, m, _mm512_sub_epi16(v, vz));
    }
}

DK_INLINE DK_AVX512 __m512i scaled16(const int8_t *x, __mmask16 m, __m512i z, __m512i mult) {
    const __m512i v = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x));
    return _mm512_mullo_epi32(_mm512_sub_epi32(v, z), mult);
}

DK_AVX512 static void requant2_avx512(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, size_t n,
                                      const dk_q8_rq2 *rq, const dk_q8_out *o, int8_t *y) {
    const __m512i vza = _mm512_set1_epi32(za), vzb = _mm512_set1_epi32(zb);
    const __m512i ma = _mm512_set1_epi32(rq->mult_a), mb = _mm512_set1_epi32(rq->mult_b);
    const __m512i rnd = _mm512_set1_epi32((int32_t)(1u << (rq->shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(rq->shift);
    const __m512i zero = _mm512_set1_epi32(o->zero), lo = _mm512_set1_epi32(o->lo), hi = _mm512_set1_epi32(o->hi);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first(n - i);
        __m512i v = scaled16(a + i, m, vza, ma);
        if (b != NULL) v = _mm512_add_epi32(v, scaled16(b + i, m, vzb, mb));
        __m512i q = _mm512_srl_epi32(_mm512_add_epi32(_mm512_abs_epi32(v), rnd), sh);
        q = _mm512_mask_sub_epi32(q, _mm512_cmplt_epi32_mask(v, _mm512_setzero_si512()), _mm512_setzero_si512(), q);
        q = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(q, zero), lo), hi);
        _mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(q));
    }
}

DK_AVX512 static void quantize_avx512(const float *x, size_t n, float scale, const dk_q8_out *o, int8_t *y) {
    const __m512 s = _mm512_set1_ps(scale), lo_f = _mm512_set1_ps(-1024.0f), hi_f = _mm512_set1_ps(1024.0f);
    const __m512i zero = _mm512_set1_epi32(o->zero), lo = _mm512_set1_epi32(o->lo), hi = _mm512_set1_epi32(o->hi);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = first(n - i);
        __m512 q = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x + i), s);
        q = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(q, q, _CMP_ORD_Q), q); /* NaN -> 0 */
        q = _mm512_min_ps(_mm512_max_ps(q, lo_f), hi_f);
        q = _mm512_roundscale_ps(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m512i v = _mm512_add_epi32(_mm512_cvttps_epi32(q), zero);
        v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
        _mm_mask_storeu_epi8(y + i, m, _mm512_cvtepi32_epi8(v));
    }
}

const dk_q8_rows dk_q8_rows_avx512 = {
    .requant = requant_avx512, .dw_plane = dw_plane_avx512, .requant2 = requant2_avx512, .quantize = quantize_avx512,
    .widen = widen_avx512, .dw_block = 32,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_q8_avx512_unused;
#endif
