/*
 * AVX2 + FMA SGEMM microkernel: up to 6 rows x 16 columns (12 ymm
 * accumulators, two B vectors, one broadcast). Compiled without -m flags:
 * every function carries its own target attribute.
 */
#include "sgemm_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <string.h>

#define DK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define DK_INLINE static inline __attribute__((always_inline))

#define MR 6
#define VL 8
#define NR 16

/* One full vector of the tile into C: alpha, beta, bias, then the simple activations. */
DK_INLINE DK_TARGET_AVX2 void out_vec(float *cp, __m256 acc, const dk_sgemm_out *o, __m256 bias) {
    __m256 v = _mm256_mul_ps(acc, _mm256_set1_ps(o->alpha));
    if (o->beta != 0.0f) {
        __m256 old = _mm256_loadu_ps(cp);
        v = o->beta == 1.0f ? _mm256_add_ps(v, old) : _mm256_fmadd_ps(_mm256_set1_ps(o->beta), old, v);
    }
    if (o->bias != NULL) v = _mm256_add_ps(v, bias);
    switch (o->activation) {
    case DK_ACT_RELU: /* maxps returns its second operand for NaN: 0, like v > 0 ? v : 0 */
        v = _mm256_max_ps(v, _mm256_setzero_ps());
        break;
    case DK_ACT_RELU6: /* NaN stays NaN, -0 stays -0, like the reference */
        v = _mm256_min_ps(_mm256_set1_ps(6.0f), _mm256_max_ps(_mm256_setzero_ps(), v));
        break;
    case DK_ACT_LEAKY_RELU: {
        __m256 gt = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
        v = _mm256_blendv_ps(_mm256_mul_ps(v, _mm256_set1_ps(o->act_alpha)), v, gt);
        break;
    }
    default:
        break;
    }
    _mm256_storeu_ps(cp, v);
}

DK_INLINE DK_TARGET_AVX2 void out_row(float *cp, __m256 x0, __m256 x1, const int NV, size_t nr,
                                      const dk_sgemm_out *o, size_t row) {
    __m256 b0 = _mm256_setzero_ps(), b1 = b0;
    if (nr != (size_t)(NV * VL)) {
        /* A partial tile: the same vector code on a copy, so that results do not
         * depend on where a tile boundary falls (thread splits move them). */
        float tc[NR] = {0}, tb[NR] = {0};
        if (o->beta != 0.0f) memcpy(tc, cp, nr * sizeof(float));
        if (o->bias != NULL) {
            if (o->bias_per_column) memcpy(tb, o->bias, nr * sizeof(float));
            else b0 = b1 = _mm256_set1_ps(o->bias[row]);
        }
        if (o->bias != NULL && o->bias_per_column) {
            b0 = _mm256_loadu_ps(tb);
            b1 = _mm256_loadu_ps(tb + VL);
        }
        out_vec(tc, x0, o, b0);
        if (NV == 2) out_vec(tc + VL, x1, o, b1);
        memcpy(cp, tc, nr * sizeof(float));
    } else {
        if (o->bias != NULL) {
            if (o->bias_per_column) {
                b0 = _mm256_loadu_ps(o->bias);
                if (NV == 2) b1 = _mm256_loadu_ps(o->bias + VL);
            } else {
                b0 = b1 = _mm256_set1_ps(o->bias[row]);
            }
        }
        out_vec(cp, x0, o, b0);
        if (NV == 2) out_vec(cp + VL, x1, o, b1);
    }
    if (!dk_sgemm_act_is_simple(o->activation)) dk_activation_apply(o->activation, o->act_alpha, cp, nr);
}

DK_INLINE DK_TARGET_AVX2 void kernel_hv(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc,
                                        size_t nr, const dk_sgemm_out *o, const int H, const int NV) {
    __m256 r0a = _mm256_setzero_ps(), r0b = r0a, r1a = r0a, r1b = r0a, r2a = r0a, r2b = r0a;
    __m256 r3a = r0a, r3b = r0a, r4a = r0a, r4b = r0a, r5a = r0a, r5b = r0a;
#define DK_ROW(i)                                                                     \
    if (H > i) {                                                                      \
        __m256 ai = _mm256_broadcast_ss(a + i);                                       \
        r##i##a = _mm256_fmadd_ps(ai, b0, r##i##a);                                   \
        if (NV == 2) r##i##b = _mm256_fmadd_ps(ai, b1, r##i##b);                      \
    }
#define DK_STEP                                                                       \
    {                                                                                 \
        __m256 b0 = _mm256_loadu_ps(b);                                               \
        __m256 b1 = NV == 2 ? _mm256_loadu_ps(b + VL) : b0;                           \
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5)                   \
        _mm_prefetch(dk_ahead(b, ldb, 0), _MM_HINT_T0);                               \
        _mm_prefetch(dk_ahead(b, ldb, VL * NV - 1), _MM_HINT_T0);                     \
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
#define DK_OUT(i) \
    if (H > i) out_row(c + (size_t)(i) * ldc, r##i##a, r##i##b, NV, nr, o, i);
    DK_OUT(0) DK_OUT(1) DK_OUT(2) DK_OUT(3) DK_OUT(4) DK_OUT(5)
#undef DK_OUT
}

/* One out-of-line function per (rows, vectors): each gets the whole register file to itself. */
typedef void (*tile_fn)(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,
                        const dk_sgemm_out *o);
#define DK_TILE(h, nv)                                                                                  \
    __attribute__((noinline)) DK_TARGET_AVX2 static void tile_##h##_##nv(                              \
        size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,        \
        const dk_sgemm_out *o) {                                                                        \
        kernel_hv(kc, a, b, ldb, c, ldc, nr, o, h, nv);                                                 \
    }
#define DK_TILES(h) DK_TILE(h, 1) DK_TILE(h, 2)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4) DK_TILES(5) DK_TILES(6)
#undef DK_TILES
#undef DK_TILE

static const tile_fn tiles[MR][NR / VL] = {
    {tile_1_1, tile_1_2}, {tile_2_1, tile_2_2}, {tile_3_1, tile_3_2},
    {tile_4_1, tile_4_2}, {tile_5_1, tile_5_2}, {tile_6_1, tile_6_2},
};

static void kernel_avx2(size_t kc, const float *a, const float *b, size_t ldb, size_t h, size_t nr, float *c,
                        size_t ldc, const dk_sgemm_out *o) {
    tiles[h - 1][(nr + VL - 1) / VL - 1](kc, a, b, ldb, c, ldc, nr, o);
}

const dk_sgemm_isa_cfg dk_sgemm_cfg_avx2 = {
    .mr = MR, .nr = NR, .vl = VL, .kc = 256, .mc = 480, .nc = 768, .kernel = kernel_avx2,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_sgemm_avx2_unused;
#endif
