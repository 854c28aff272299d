/*
 * Portable SGEMM microkernel: up to 4 rows x 8 columns of accumulators,
 * written so that compilers keep them in registers (and may vectorise them).
 * Every (rows, width) pair is a separate constant-size instance.
 */
#include "sgemm_kernels.h"

#define MR 4
#define VL 4
#define NR 8

#if defined(__GNUC__) || defined(__clang__)
#define DK_INLINE static inline __attribute__((always_inline))
#else
#define DK_INLINE static inline
#endif

DK_INLINE void kernel_hw(size_t kc, const float *a, const float *b, size_t ldb, float *c, size_t ldc, size_t nr,
                         const dk_sgemm_out *o, const size_t H, const size_t W) {
    float acc[MR][NR];
    for (size_t i = 0; i < MR; i++)
        for (size_t j = 0; j < NR; j++) acc[i][j] = 0.0f;
    for (size_t p = 0; p < kc; p++) {
        for (size_t i = 0; i < H; i++) {
            float ai = a[i];
            for (size_t j = 0; j < W; j++) acc[i][j] += ai * b[j];
        }
        a += H;
        b += ldb;
    }
    for (size_t i = 0; i < H; i++) dk_sgemm_out_row(c + i * ldc, acc[i], nr, i, o);
}

#define DK_CASE(h)                                                  \
    case h:                                                         \
        if (w == NR) kernel_hw(kc, a, b, ldb, c, ldc, nr, o, h, NR);     \
        else kernel_hw(kc, a, b, ldb, c, ldc, nr, o, h, VL);             \
        break;

static void kernel_scalar(size_t kc, const float *a, const float *b, size_t ldb, size_t h, size_t nr, float *c,
                          size_t ldc, const dk_sgemm_out *o) {
    size_t w = nr > VL ? NR : VL;
    switch (h) {
        DK_CASE(1) DK_CASE(2) DK_CASE(3)
    default:
        if (w == NR) kernel_hw(kc, a, b, ldb, c, ldc, nr, o, MR, NR);
        else kernel_hw(kc, a, b, ldb, c, ldc, nr, o, MR, VL);
        break;
    }
}

const dk_sgemm_isa_cfg dk_sgemm_cfg_scalar = {
    .mr = MR, .nr = NR, .vl = VL, .kc = 256, .mc = 256, .nc = 512, .kernel = kernel_scalar,
};
