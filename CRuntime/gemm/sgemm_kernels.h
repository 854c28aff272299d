/*
 * Private to the SGEMM: the microkernel interface shared by the driver
 * (sgemm.c) and the per-ISA files (sgemm_scalar.c, sgemm_avx2.c,
 * sgemm_avx512.c, sgemm_neon.c).
 *
 * Packed layouts (written by sgemm.c, read by the kernels):
 *   A panel: h rows (1 <= h <= mr_max) by kc, k-major: a[p * h + i].
 *   B panel: kc by w columns, k-major: b[p * w + j], where w is the panel's
 *            column count rounded up to the ISA's vector length `vl`
 *            (the padding columns hold zeros). w <= nr_max.
 * Panels start 64-byte aligned when w is a multiple of 16 (AVX-512); kernels
 * use unaligned loads anyway.
 */
#ifndef DK_SGEMM_KERNELS_H
#define DK_SGEMM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "gemm.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/* How a kernel folds its h x nr result tile `acc` into C. */
typedef struct dk_sgemm_out {
    float alpha;            /* C = alpha * acc + beta * C */
    float beta;             /* exactly 0: C is not read (it may hold NaN) */
    const float *bias;      /* NULL, or bias already offset to this tile's first row/column */
    int bias_per_column;    /* 0: bias[i] for tile row i; 1: bias[j] for tile column j */
    dk_activation activation; /* DK_ACT_NONE except on the last k block */
    float act_alpha;        /* leaky-relu slope */
} dk_sgemm_out;

/*
 * C[0..h, 0..nr) (row stride ldc) = out(A panel * B panel) over kc steps.
 * 1 <= h <= mr_max, 1 <= nr <= w <= nr_max, w = round_up(nr, vl); kc >= 1.
 * The B panel's rows are ldb floats apart: w for a packed panel, or B's own
 * row stride when the driver hands a full-width panel of B over unpacked
 * (then all w columns are real; the kernel reads exactly w per row).
 */
typedef void (*dk_sgemm_kernel_fn)(size_t kc, const float *a, const float *b, size_t ldb, size_t h,
                                   size_t nr, float *c, size_t ldc, const dk_sgemm_out *out);

/* One ISA's microkernel and cache blocking. */
typedef struct dk_sgemm_isa_cfg {
    size_t mr;  /* most rows per A panel */
    size_t nr;  /* most columns per B panel */
    size_t vl;  /* B panel width granularity (the SIMD width in floats) */
    size_t kc;  /* k block: an A panel (mr x kc) should sit in L1 */
    size_t mc;  /* rows of A packed at once (L2/L3) */
    size_t nc;  /* columns of B packed at once: a kc x nc block should sit in L2 */
    dk_sgemm_kernel_fn kernel;
} dk_sgemm_isa_cfg;

extern const dk_sgemm_isa_cfg dk_sgemm_cfg_scalar;
#if defined(__x86_64__)
extern const dk_sgemm_isa_cfg dk_sgemm_cfg_avx2;
extern const dk_sgemm_isa_cfg dk_sgemm_cfg_avx512;
#endif
#if defined(__aarch64__)
extern const dk_sgemm_isa_cfg dk_sgemm_cfg_neon;
#endif

/* The address of float `col` of the B row DK_PF_ROWS rows ahead, for a
 * prefetch (computed as an integer: it may lie past the end of B). */
#define DK_PF_ROWS 16
static inline const char *dk_ahead(const float *b, size_t ldb, size_t col) {
    return (const char *)((uintptr_t)b + (DK_PF_ROWS * ldb + col) * sizeof(float));
}

/* Whether the kernels apply `act` in registers; the others (sigmoid, tanh) go
 * through dk_activation_apply on each stored row. */
static inline int dk_sgemm_act_is_simple(dk_activation act) {
    return act == DK_ACT_NONE || act == DK_ACT_RELU || act == DK_ACT_LEAKY_RELU ||
           act == DK_ACT_RELU6;
}

/* The reference's relu, leaky relu and relu6 (NaN and -0 behave the same). */
static inline float dk_sgemm_act_simple(dk_activation act, float slope, float v) {
    switch (act) {
    case DK_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case DK_ACT_LEAKY_RELU: return v > 0.0f ? v : slope * v;
    case DK_ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    default: return v;
    }
}

/* Folds one row of a tile (acc[0..nr)) into C row `row` of the tile, in scalar code. */
static inline void dk_sgemm_out_row(float *c, const float *acc, size_t nr, size_t row,
                                    const dk_sgemm_out *o) {
    for (size_t j = 0; j < nr; j++) {
        float v = o->alpha * acc[j];
        if (o->beta != 0.0f) v += o->beta * c[j];
        if (o->bias != NULL) v += o->bias_per_column ? o->bias[j] : o->bias[row];
        c[j] = dk_sgemm_act_simple(o->activation, o->act_alpha, v);
    }
    if (!dk_sgemm_act_is_simple(o->activation)) dk_activation_apply(o->activation, o->act_alpha, c, nr);
}

#pragma GCC visibility pop
#endif
