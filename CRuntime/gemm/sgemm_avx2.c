/*
 * AVX2 + FMA SGEMM microkernel: up to 6 rows x 16 columns (12 ymm
 * accumulators, two B vectors, one broadcast). Compiled without -m flags:
 * every function carries its own target attribute.
 */
#include "sgemm_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#define DK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define DK_INLINE static inline __attribute__((always_inline))

#define MR 6
#define VL 8
#define NR 16

/*
 * Folds one 8-column strip of h tile rows into C: alpha, beta, bias, then the simple activations.
 * BETA (beta != 0), ACT and PARTIAL are constants, so the row loop has no branch but the bias's.
 * PARTIAL: only the lanes under `lanes` are real; C and the bias are read and written under it
 * (masked lanes read 0), so results do not depend on where a tile boundary falls (thread splits move
 * them). col_bias: the strip's bias when it is per column.
 */
DK_INLINE DK_TARGET_AVX2 void fold_strip(const float *acc, size_t h, float *c, size_t ldc, __m256i lanes,
                                         const dk_sgemm_out *o, __m256 col_bias, const int BETA,
                                         const dk_activation ACT, const int PARTIAL) {
    const __m256 alpha = _mm256_set1_ps(o->alpha), beta = _mm256_set1_ps(o->beta);
    const __m256 slope = _mm256_set1_ps(o->act_alpha), zero = _mm256_setzero_ps(), six = _mm256_set1_ps(6.0f);
    for (size_t i = 0; i < h; i++, acc += NR, c += ldc) {
        __m256 v = _mm256_mul_ps(_mm256_load_ps(acc), alpha);
        if (BETA) /* beta == 1 included: the fused 1 * old + v rounds once, like old + v */
            v = _mm256_fmadd_ps(beta, PARTIAL ? _mm256_maskload_ps(c, lanes) : _mm256_loadu_ps(c), v);
        if (o->bias != NULL) v = _mm256_add_ps(v, o->bias_per_column ? col_bias : _mm256_set1_ps(o->bias[i]));
        if (ACT == DK_ACT_RELU) v = _mm256_max_ps(v, zero); /* maxps gives its second operand for NaN: 0 */
        if (ACT == DK_ACT_RELU6) v = _mm256_min_ps(six, _mm256_max_ps(zero, v)); /* NaN and -0 kept */
        if (ACT == DK_ACT_LEAKY_RELU)
            v = _mm256_blendv_ps(_mm256_mul_ps(v, slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
        if (PARTIAL) _mm256_maskstore_ps(c, lanes, v);
        else _mm256_storeu_ps(c, v);
    }
}

/*
 * Folds a tile's accumulators (h rows of NR floats in acc, nr of them real) into C. One out-of-line
 * body for every tile shape (inlined into all 12, the epilogue made them 75 KB); the accumulators'
 * round trip through L1 costs a few cycles per tile against the k loop's hundreds.
 */
__attribute__((noinline)) DK_TARGET_AVX2 static void store_tile(const float *acc, size_t h, size_t nr, float *c,
                                                                size_t ldc, const dk_sgemm_out *out) {
    const dk_sgemm_out o = *out; /* a copy, which C's stores cannot alias, so its fields stay in registers */
    const int beta = o.beta != 0.0f;
    for (size_t j = 0; j < nr; j += VL) {
        const int partial = nr - j < VL;
        const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(nr - j)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 col_bias = _mm256_setzero_ps();
        if (o.bias != NULL && o.bias_per_column) col_bias = _mm256_maskload_ps(o.bias + j, lanes);
#define DK_FOLD(act)                                                                                     \
    if (partial) {                                                                                       \
        if (beta) fold_strip(acc + j, h, c + j, ldc, lanes, &o, col_bias, 1, act, 1);                     \
        else fold_strip(acc + j, h, c + j, ldc, lanes, &o, col_bias, 0, act, 1);                         \
    } else {                                                                                             \
        if (beta) fold_strip(acc + j, h, c + j, ldc, lanes, &o, col_bias, 1, act, 0);                     \
        else fold_strip(acc + j, h, c + j, ldc, lanes, &o, col_bias, 0, act, 0);                         \
    }                                                                                                    \
    break;
        switch (o.activation) {
        case DK_ACT_RELU: DK_FOLD(DK_ACT_RELU)
        case DK_ACT_RELU6: DK_FOLD(DK_ACT_RELU6)
        case DK_ACT_LEAKY_RELU: DK_FOLD(DK_ACT_LEAKY_RELU)
        default: DK_FOLD(DK_ACT_NONE)
        }
#undef DK_FOLD
    }
    if (!dk_sgemm_act_is_simple(o.activation))
        for (size_t i = 0; i < h; i++) dk_activation_apply(o.activation, o.act_alpha, c + i * ldc, nr);
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
    float acc[MR * NR] __attribute__((aligned(32)));
#define DK_SAVE(i)                                                   \
    if (H > i) {                                                     \
        _mm256_store_ps(acc + (i) * NR, r##i##a);                    \
        if (NV == 2) _mm256_store_ps(acc + (i) * NR + VL, r##i##b);  \
    }
    DK_SAVE(0) DK_SAVE(1) DK_SAVE(2) DK_SAVE(3) DK_SAVE(4) DK_SAVE(5)
#undef DK_SAVE
    store_tile(acc, (size_t)H, nr, c, ldc, o);
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
