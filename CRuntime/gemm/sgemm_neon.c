/*
 * NEON (aarch64 Advanced SIMD) SGEMM microkernel: up to 8 rows x 12 columns
 * (24 q-register accumulators, three B vectors, two A vectors).
 */
#include "sgemm_kernels.h"

#if defined(__aarch64__)

#include <arm_neon.h>
#include <string.h>

#define DK_INLINE static inline __attribute__((always_inline))

#define MR 8
#define VL 4
#define NR 12

DK_INLINE float32x4_t out_vec(float *cp, float32x4_t acc, const dk_sgemm_out *o, float32x4_t bias) {
    float32x4_t v = vmulq_n_f32(acc, o->alpha);
    if (o->beta != 0.0f) {
        float32x4_t old = vld1q_f32(cp);
        v = o->beta == 1.0f ? vaddq_f32(v, old) : vfmaq_n_f32(v, old, o->beta);
    }
    if (o->bias != NULL) v = vaddq_f32(v, bias);
    switch (o->activation) {
    case DK_ACT_RELU: { /* v > 0 ? v : 0, NaN included */
        uint32x4_t gt = vcgtq_f32(v, vdupq_n_f32(0.0f));
        v = vbslq_f32(gt, v, vdupq_n_f32(0.0f));
        break;
    }
    case DK_ACT_RELU6: { /* v < 0 ? 0 : (v > 6 ? 6 : v), NaN included */
        v = vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.0f)), vdupq_n_f32(0.0f), v);
        v = vbslq_f32(vcgtq_f32(v, vdupq_n_f32(6.0f)), vdupq_n_f32(6.0f), v);
        break;
    }
    case DK_ACT_LEAKY_RELU: {
        uint32x4_t gt = vcgtq_f32(v, vdupq_n_f32(0.0f));
        v = vbslq_f32(gt, v, vmulq_n_f32(v, o->act_alpha));
        break;
    }
    default:
        break;
    }
    return v;
}

DK_INLINE void out_row(float *cp, float32x4_t x0, float32x4_t x1, float32x4_t x2, const int NV, size_t nr,
                       const dk_sgemm_out *o, size_t row) {
    float32x4_t b0 = vdupq_n_f32(0.0f), b1 = b0, b2 = b0;
    float tc[NR] = {0}, tb[NR] = {0};
    int partial = nr != (size_t)(NV * VL);
    /* A partial tile runs the same vector code on a copy, so that results do not
     * depend on where a tile boundary falls (thread splits move them). */
    float *dst = partial ? tc : cp;
    if (partial && o->beta != 0.0f) memcpy(tc, cp, nr * sizeof(float));
    if (o->bias != NULL) {
        if (o->bias_per_column) {
            const float *bias = o->bias;
            if (partial) {
                memcpy(tb, o->bias, nr * sizeof(float));
                bias = tb;
            }
            b0 = vld1q_f32(bias);
            if (NV > 1) b1 = vld1q_f32(bias + VL);
            if (NV > 2) b2 = vld1q_f32(bias + 2 * VL);
        } else {
            b0 = b1 = b2 = vdupq_n_f32(o->bias[row]);
        }
    }
    vst1q_f32(dst, out_vec(dst, x0, o, b0));
    if (NV > 1) vst1q_f32(dst + VL, out_vec(dst + VL, x1, o, b1));
    if (NV > 2) vst1q_f32(dst + 2 * VL, out_vec(dst + 2 * VL, x2, o, b2));
    if (partial) memcpy(cp, tc, nr * sizeof(float));
    if (!dk_sgemm_act_is_simple(o->activation)) dk_activation_apply(o->activation, o->act_alpha, cp, nr);
}

DK_INLINE void kernel_hv(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,
                         const dk_sgemm_out *o, const int H, const int NV) {
    float32x4_t z = vdupq_n_f32(0.0f);
    float32x4_t r0a = z, r0b = z, r0c = z, r1a = z, r1b = z, r1c = z, r2a = z, r2b = z, r2c = z;
    float32x4_t r3a = z, r3b = z, r3c = z, r4a = z, r4b = z, r4c = z, r5a = z, r5b = z, r5c = z;
    float32x4_t r6a = z, r6b = z, r6c = z, r7a = z, r7b = z, r7c = z;
#define DK_ROW(i)                                                        \
    if (H > i) {                                                         \
        float ai = a[i];                                                 \
        r##i##a = vfmaq_n_f32(r##i##a, b0, ai);                          \
        if (NV > 1) r##i##b = vfmaq_n_f32(r##i##b, b1, ai);              \
        if (NV > 2) r##i##c = vfmaq_n_f32(r##i##c, b2, ai);              \
    }
    for (size_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b);
        float32x4_t b1 = NV > 1 ? vld1q_f32(b + VL) : b0;
        float32x4_t b2 = NV > 2 ? vld1q_f32(b + 2 * VL) : b0;
        DK_ROW(0) DK_ROW(1) DK_ROW(2) DK_ROW(3) DK_ROW(4) DK_ROW(5) DK_ROW(6) DK_ROW(7)
        __builtin_prefetch(dk_ahead(b, ldb, 0), 0, 3);
        __builtin_prefetch(dk_ahead(b, ldb, VL * NV - 1), 0, 3);
        a += H;
        b += ldb;
    }
#undef DK_ROW
#define DK_OUT(i) \
    if (H > i) out_row(c + (size_t)(i) * ldc, r##i##a, r##i##b, r##i##c, NV, nr, o, i);
    DK_OUT(0) DK_OUT(1) DK_OUT(2) DK_OUT(3) DK_OUT(4) DK_OUT(5) DK_OUT(6) DK_OUT(7)
#undef DK_OUT
}

/* One out-of-line function per (rows, vectors): each gets the whole register file to itself. */
typedef void (*tile_fn)(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,
                        const dk_sgemm_out *o);
#define DK_TILE(h, nv)                                                                                  \
    __attribute__((noinline)) static void tile_##h##_##nv(size_t kc, const float *a, const float *b,   \
                                                          size_t ldb, float *c, size_t ldc, size_t nr, \
                                                          const dk_sgemm_out *o) {                     \
        kernel_hv(kc, a, b, ldb, c, ldc, nr, o, h, nv);                                                 \
    }
#define DK_TILES(h) DK_TILE(h, 1) DK_TILE(h, 2) DK_TILE(h, 3)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4) DK_TILES(5) DK_TILES(6) DK_TILES(7) DK_TILES(8)
#undef DK_TILES
#undef DK_TILE

#define DK_ROW_OF(h) {tile_##h##_1, tile_##h##_2, tile_##h##_3}
static const tile_fn tiles[MR][NR / VL] = {
    DK_ROW_OF(1), DK_ROW_OF(2), DK_ROW_OF(3), DK_ROW_OF(4),
    DK_ROW_OF(5), DK_ROW_OF(6), DK_ROW_OF(7), DK_ROW_OF(8),
};
#undef DK_ROW_OF

static void kernel_neon(size_t kc, const float *a, const float *b, size_t ldb, size_t h, size_t nr, float *c,
                        size_t ldc, const dk_sgemm_out *o) {
    tiles[h - 1][(nr + VL - 1) / VL - 1](kc, a, b, ldb, c, ldc, nr, o);
}

const dk_sgemm_isa_cfg dk_sgemm_cfg_neon = {
    .mr = MR, .nr = NR, .vl = VL, .kc = 256, .mc = 256, .nc = 384, .kernel = kernel_neon,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_sgemm_neon_unused;
#endif
