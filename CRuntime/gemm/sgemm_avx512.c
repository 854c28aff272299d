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

/* The first n of 16 lanes. */
static inline __mmask16 first(size_t n) { return (__mmask16)(n >= 16 ? 0xFFFFu : (1u << n) - 1u); }

/*
 * Folds one 16-column strip (lanes under m) of h tile rows into C: alpha, beta, bias, then the
 * simple activations. BETA (beta != 0) and ACT are constants, so the row loop has no branch but the
 * bias's. col_bias: the strip's bias when it is per column.
 */
DK_INLINE DK_TARGET_AVX512 void fold_strip(const float *acc, size_t h, float *c, size_t ldc, __mmask16 m,
                                           const dk_sgemm_out *o, __m512 col_bias, const int BETA,
                                           const dk_activation ACT) {
    const __m512 alpha = _mm512_set1_ps(o->alpha), beta = _mm512_set1_ps(o->beta);
    const __m512 slope = _mm512_set1_ps(o->act_alpha), zero = _mm512_setzero_ps(), six = _mm512_set1_ps(6.0f);
    for (size_t i = 0; i < h; i++, acc += NR, c += ldc) {
        __m512 v = _mm512_mul_ps(_mm512_maskz_load_ps(m, acc), alpha);
        /* beta == 1 included: the fused 1 * old + v rounds once, like old + v */
        if (BETA) v = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(m, c), v);
        if (o->bias != NULL) v = _mm512_add_ps(v, o->bias_per_column ? col_bias : _mm512_set1_ps(o->bias[i]));
        if (ACT == DK_ACT_RELU) v = _mm512_max_ps(v, zero); /* maxps gives its second operand for NaN: 0 */
        if (ACT == DK_ACT_RELU6) v = _mm512_min_ps(six, _mm512_max_ps(zero, v)); /* NaN and -0 kept */
        if (ACT == DK_ACT_LEAKY_RELU)
            v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_NGT_UQ), v, slope);
        _mm512_mask_storeu_ps(c, m, v);
    }
}

/*
 * Folds a tile's accumulators (h rows of NR floats in acc, nr of them real) into C. One out-of-line
 * body for every tile shape: inlined into all 48 tiles, the epilogue made them 230 KB; the
 * accumulators' round trip through L1 costs a few cycles per tile against the k loop's hundreds.
 * Each lane sees the operations it would in registers.
 */
__attribute__((noinline)) DK_TARGET_AVX512 static void store_tile(const float *acc, size_t h, size_t nr, float *c,
                                                                  size_t ldc, const dk_sgemm_out *out) {
    const dk_sgemm_out o = *out; /* a copy, which C's stores cannot alias, so its fields stay in registers */
    const int beta = o.beta != 0.0f;
    for (size_t j = 0; j < nr; j += 16) {
        const __mmask16 m = first(nr - j);
        const __m512 col_bias = o.bias != NULL && o.bias_per_column ? _mm512_maskz_loadu_ps(m, o.bias + j)
                                                                    : _mm512_setzero_ps();
#define DK_FOLD(act)                                                                    \
    if (beta) fold_strip(acc + j, h, c + j, ldc, m, &o, col_bias, 1, act);               \
    else fold_strip(acc + j, h, c + j, ldc, m, &o, col_bias, 0, act);                   \
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

/* Which vectors a W-wide tile has: Z full zmm (0, 1 or 2), then Y (0 or 1) ymm. */
#define DK_Z(W) ((W) / 16)
#define DK_Y(W) (((W) % 16) != 0)

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

    float acc[MR * NR] __attribute__((aligned(64)));
#define DK_SAVE(i)                                                                              \
    if (H > i) {                                                                                \
        if (DK_Z(W) >= 1) _mm512_store_ps(acc + (i) * NR, r##i##a);                             \
        if (DK_Z(W) == 2) _mm512_store_ps(acc + (i) * NR + 16, r##i##b);                        \
        if (DK_Y(W)) _mm256_store_ps(acc + (i) * NR + 16 * DK_Z(W), r##i##y);                   \
    }
    DK_SAVE(0) DK_SAVE(1) DK_SAVE(2) DK_SAVE(3) DK_SAVE(4) DK_SAVE(5)
    DK_SAVE(6) DK_SAVE(7) DK_SAVE(8) DK_SAVE(9) DK_SAVE(10) DK_SAVE(11)
#undef DK_SAVE
    store_tile(acc, (size_t)H, nr, c, ldc, o);
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
