/*
 * AVX-512 SGEMM microkernel: up to 12 rows x 32 columns (24 zmm accumulators,
 * two B vectors, one broadcast). Narrower tiles at the right edge are 8, 16
 * or 24 wide (a 24-wide tile is a zmm and a ymm per row): a ymm FMA costs
 * half a zmm one on cores that split 512-bit operations (AMD Zen 4) and no
 * more elsewhere, so ragged n wastes little. Each step also prefetches the B
 * row DK_PF_ROWS ahead, which matters when B is read in place (ldb > W).
 * Compiled without -m flags: every function carries its own target attribute.
 */
#include "sgemm_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define DK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define DK_INLINE static inline __attribute__((always_inline))

#define MR 12
#define VL 8 /* B panels are 8, 16, 24 or 32 wide */
#define NR 32

/* Folds one vector of the tile into C: alpha, beta, bias, then the simple activations. */
DK_INLINE DK_TARGET_AVX512 void out_vec(float *cp, __m512 acc, __mmask16 mask, const dk_sgemm_out *o,
                                        __m512 bias) {
    __m512 v = _mm512_mul_ps(acc, _mm512_set1_ps(o->alpha));
    if (o->beta != 0.0f) {
        __m512 old = _mm512_maskz_loadu_ps(mask, cp);
        v = o->beta == 1.0f ? _mm512_add_ps(v, old) : _mm512_fmadd_ps(_mm512_set1_ps(o->beta), old, v);
    }
    if (o->bias != NULL) v = _mm512_add_ps(v, bias);
    switch (o->activation) {
    case DK_ACT_RELU: /* maxps returns its second operand for NaN: 0, like v > 0 ? v : 0 */
        v = _mm512_max_ps(v, _mm512_setzero_ps());
        break;
    case DK_ACT_RELU6: /* NaN stays NaN, -0 stays -0, like the reference */
        v = _mm512_min_ps(_mm512_set1_ps(6.0f), _mm512_max_ps(_mm512_setzero_ps(), v));
        break;
    case DK_ACT_LEAKY_RELU: {
        __mmask16 le = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NGT_UQ);
        v = _mm512_mask_mul_ps(v, le, v, _mm512_set1_ps(o->act_alpha));
        break;
    }
    default:
        break;
    }
    _mm512_mask_storeu_ps(cp, mask, v);
}

/* The same for an 8-float (ymm) vector, the narrow end of a 24- or 8-wide tile. */
DK_INLINE DK_TARGET_AVX512 void out_vec8(float *cp, __m256 acc, __mmask8 mask, const dk_sgemm_out *o,
                                         __m256 bias) {
    __m256 v = _mm256_mul_ps(acc, _mm256_set1_ps(o->alpha));
    if (o->beta != 0.0f) {
        __m256 old = _mm256_maskz_loadu_ps(mask, cp);
        v = o->beta == 1.0f ? _mm256_add_ps(v, old) : _mm256_fmadd_ps(_mm256_set1_ps(o->beta), old, v);
    }
    if (o->bias != NULL) v = _mm256_add_ps(v, bias);
    switch (o->activation) {
    case DK_ACT_RELU:
        v = _mm256_max_ps(v, _mm256_setzero_ps());
        break;
    case DK_ACT_RELU6:
        v = _mm256_min_ps(_mm256_set1_ps(6.0f), _mm256_max_ps(_mm256_setzero_ps(), v));
        break;
    case DK_ACT_LEAKY_RELU: {
        __mmask8 le = _mm256_cmp_ps_mask(v, _mm256_setzero_ps(), _CMP_NGT_UQ);
        v = _mm256_mask_mul_ps(v, le, v, _mm256_set1_ps(o->act_alpha));
        break;
    }
    default:
        break;
    }
    _mm256_mask_storeu_ps(cp, mask, v);
}

/* Which vectors a W-wide tile has: Z full zmm (0, 1 or 2), then Y (0 or 1) ymm. */
#define DK_Z(W) ((W) / 16)
#define DK_Y(W) (((W) % 16) != 0)

typedef struct tile_masks {
    __mmask16 m0, m1;
    __mmask8 my;
} tile_masks;

DK_INLINE DK_TARGET_AVX512 void out_row(float *cp, __m512 x0, __m512 x1, __m256 xy, const int W,
                                        tile_masks mk, size_t nr, const dk_sgemm_out *o, size_t row,
                                        __m512 cb0, __m512 cb1, __m256 cby) {
    __m512 b0 = cb0, b1 = cb1;
    __m256 by = cby;
    if (o->bias != NULL && !o->bias_per_column) {
        b0 = b1 = _mm512_set1_ps(o->bias[row]);
        by = _mm256_set1_ps(o->bias[row]);
    }
    if (DK_Z(W) >= 1) out_vec(cp, x0, mk.m0, o, b0);
    if (DK_Z(W) == 2) out_vec(cp + 16, x1, mk.m1, o, b1);
    if (DK_Y(W)) out_vec8(cp + 16 * DK_Z(W), xy, mk.my, o, by);
    if (!dk_sgemm_act_is_simple(o->activation)) dk_activation_apply(o->activation, o->act_alpha, cp, nr);
}

/* The kernel body for H rows and W columns (8, 16, 24, 32), both compile-time constants once inlined. */
DK_INLINE DK_TARGET_AVX512 void kernel_hw(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc,
                                          size_t nr, const dk_sgemm_out *o, const int H, const int W) {
    __m512 r0a = _mm512_setzero_ps(), r0b = r0a, r1a = r0a, r1b = r0a, r2a = r0a, r2b = r0a;
    __m512 r3a = r0a, r3b = r0a, r4a = r0a, r4b = r0a, r5a = r0a, r5b = r0a;
    __m512 r6a = r0a, r6b = r0a, r7a = r0a, r7b = r0a, r8a = r0a, r8b = r0a;
    __m512 r9a = r0a, r9b = r0a, r10a = r0a, r10b = r0a, r11a = r0a, r11b = r0a;
    __m256 r0y = _mm256_setzero_ps(), r1y = r0y, r2y = r0y, r3y = r0y, r4y = r0y, r5y = r0y;
    __m256 r6y = r0y, r7y = r0y, r8y = r0y, r9y = r0y, r10y = r0y, r11y = r0y;
#define DK_ROW(i)                                                                     \
    if (H > i) {                                                                      \
        if (DK_Z(W) >= 1) {                                                           \
            __m512 ai = _mm512_set1_ps(a[i]);                                         \
            r##i##a = _mm512_fmadd_ps(ai, b0, r##i##a);                               \
            if (DK_Z(W) == 2) r##i##b = _mm512_fmadd_ps(ai, b1, r##i##b);             \
        }                                                                             \
        if (DK_Y(W)) r##i##y = _mm256_fmadd_ps(_mm256_set1_ps(a[i]), by, r##i##y);    \
    }
#define DK_STEP                                                                       \
    {                                                                                 \
        __m512 b0 = DK_Z(W) >= 1 ? _mm512_loadu_ps(b) : _mm512_setzero_ps();          \
        __m512 b1 = DK_Z(W) == 2 ? _mm512_loadu_ps(b + 16) : b0;                      \
        __m256 by = DK_Y(W) ? _mm256_loadu_ps(b + 16 * DK_Z(W)) : _mm256_setzero_ps(); \
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5)                   \
        DK_ROW(6) DK_ROW(7) DK_ROW(8) DK_ROW(9) DK_ROW(10) DK_ROW(11)                 \
        _mm_prefetch(dk_ahead(b, ldb, 0), _MM_HINT_T0);                               \
        _mm_prefetch(dk_ahead(b, ldb, W - 1), _MM_HINT_T0);                           \
        a += H;                                                                       \
        b += ldb;                                                                     \
    }
    size_t p = kc;
    for (; p >= 4; p -= 4) {
        DK_STEP DK_STEP DK_STEP DK_STEP
    }
    for (; p > 0; p--) DK_STEP
#undef DK_STEP
#undef DK_ROW

    /* Masks for the columns past nr (nr > W - 8). */
    tile_masks mk = {0xFFFF, 0xFFFF, 0xFF};
    if (DK_Y(W)) mk.my = (__mmask8)((1u << (nr - 16 * DK_Z(W))) - 1u);
    else if (DK_Z(W) == 1) mk.m0 = (__mmask16)((1u << nr) - 1u);
    else mk.m1 = (__mmask16)((1u << (nr - 16)) - 1u);
    __m512 cb0 = _mm512_setzero_ps(), cb1 = cb0;
    __m256 cby = _mm256_setzero_ps();
    if (o->bias != NULL && o->bias_per_column) {
        if (DK_Z(W) >= 1) cb0 = _mm512_maskz_loadu_ps(mk.m0, o->bias);
        if (DK_Z(W) == 2) cb1 = _mm512_maskz_loadu_ps(mk.m1, o->bias + 16);
        if (DK_Y(W)) cby = _mm256_maskz_loadu_ps(mk.my, o->bias + 16 * DK_Z(W));
    }
#define DK_OUT(i) \
    if (H > i) out_row(c + (size_t)(i) * ldc, r##i##a, r##i##b, r##i##y, W, mk, nr, o, i, cb0, cb1, cby);
    DK_OUT(0) DK_OUT(1) DK_OUT(2) DK_OUT(3) DK_OUT(4) DK_OUT(5)
    DK_OUT(6) DK_OUT(7) DK_OUT(8) DK_OUT(9) DK_OUT(10) DK_OUT(11)
#undef DK_OUT
}

/* One out-of-line function per (rows, width): each gets the whole register file to itself. */
typedef void (*tile_fn)(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,
                        const dk_sgemm_out *o);
#define DK_TILE(h, w)                                                                                   \
    __attribute__((noinline)) DK_TARGET_AVX512 static void tile_##h##_##w(                             \
        size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,        \
        const dk_sgemm_out *o) {                                                                        \
        kernel_hw(kc, a, b, ldb, c, ldc, nr, o, h, w);                                                  \
    }
#define DK_TILES(h) DK_TILE(h, 8) DK_TILE(h, 16) DK_TILE(h, 24) DK_TILE(h, 32)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4) DK_TILES(5) DK_TILES(6)
DK_TILES(7) DK_TILES(8) DK_TILES(9) DK_TILES(10) DK_TILES(11) DK_TILES(12)
#undef DK_TILES
#undef DK_TILE

#define DK_ROW_OF(h) {tile_##h##_8, tile_##h##_16, tile_##h##_24, tile_##h##_32}
static const tile_fn tiles[MR][NR / VL] = {
    DK_ROW_OF(1), DK_ROW_OF(2), DK_ROW_OF(3), DK_ROW_OF(4), DK_ROW_OF(5), DK_ROW_OF(6),
    DK_ROW_OF(7), DK_ROW_OF(8), DK_ROW_OF(9), DK_ROW_OF(10), DK_ROW_OF(11), DK_ROW_OF(12),
};
#undef DK_ROW_OF

static void kernel_avx512(size_t kc, const float *a, const float *b, size_t ldb, size_t h, size_t nr, float *c,
                          size_t ldc, const dk_sgemm_out *o) {
    tiles[h - 1][(nr + VL - 1) / VL - 1](kc, a, b, ldb, c, ldc, nr, o);
}

const dk_sgemm_isa_cfg dk_sgemm_cfg_avx512 = {
    .mr = MR, .nr = NR, .vl = VL, .kc = 384, .mc = 480, .nc = 384, .kernel = kernel_avx512,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_sgemm_avx512_unused;
#endif
