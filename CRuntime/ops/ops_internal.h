/*
 * Internal to CRuntime/ops: helpers and kernels shared between the op files.
 * Nothing here is part of ops.h's contract.
 */
#ifndef DK_OPS_INTERNAL_H
#define DK_OPS_INTERNAL_H

/*
 * GCC's -O2 cost model ("very cheap") vectorises no loop with a runtime trip
 * count, and -ftrapping-math keeps it from if-converting float selects, which
 * leaves the ops' inner loops scalar. Every ops file includes this header
 * first, so its functions get GCC's usual -O3 vectoriser settings. Nothing in
 * the ops relies on floating-point traps. Clang vectorises these at -O2 already.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic", "no-trapping-math")
#endif

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/cpu.h"
#include "ops.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/* Workspace slices are rounded up to 16 floats so that each stays 64-byte aligned. */
static inline size_t dk_ops_round16(size_t n) { return (n + 15) & ~(size_t)15; }

/* Elementwise ops split their range into blocks of this many floats for dk_pool_for. */
#define DK_OPS_BLOCK ((size_t)16384)

/* Overflow-checked size arithmetic: return 0 on overflow (then *r is unspecified). */
static inline int dk_ops_mul(size_t a, size_t b, size_t *r) {
    if (b != 0 && a > SIZE_MAX / b) return 0;
    *r = a * b;
    return 1;
}
static inline int dk_ops_add(size_t a, size_t b, size_t *r) {
    if (a > SIZE_MAX - b) return 0;
    *r = a + b;
    return 1;
}

/* d[i * stride] += s[i] for i < n: the row add of col2im and of the pools' backward. */
static inline void dk_ops_add_strided(float *restrict d, ptrdiff_t stride, const float *restrict s, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i * stride] += s[i];
    }
}

/*
 * The outputs o in [*lo, *hi) of [0, count) whose input coordinate
 * o * s + off lies in [0, n). s >= 1.
 */
static inline void dk_ops_valid_range(ptrdiff_t off, ptrdiff_t s, ptrdiff_t n, ptrdiff_t count,
                                      ptrdiff_t *lo, ptrdiff_t *hi) {
    /* stride 1 spelled out: the division costs more than the rest of a tap's bookkeeping */
    ptrdiff_t l = off >= 0 ? 0 : s == 1 ? -off : (-off + s - 1) / s;
    ptrdiff_t h = n - off > 0 ? (s == 1 ? n - off : (n - off + s - 1) / s) : 0;
    if (h > count) h = count;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/*
 * Sum and maximum of n floats with 16 independent partial results, so the
 * loops vectorise without reassociation (no -ffast-math needed). The maximum
 * propagates NaN, as PyTorch's.
 */
static inline float dk_ops_sum(const float *x, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++) acc[j] += x[i + j];
    float s = 0.0f;
    for (; i < n; i++) s += x[i];
    for (size_t j = 0; j < 16; j++) s += acc[j];
    return s;
}
static inline float dk_ops_max(const float *x, size_t n) {
    float acc[16];
    for (size_t j = 0; j < 16; j++) acc[j] = -INFINITY;
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++) {
            float v = x[i + j];
            acc[j] = (v > acc[j] || v != v) ? v : acc[j];
        }
    float m = -INFINITY;
    for (; i < n; i++) m = (x[i] > m || x[i] != x[i]) ? x[i] : m;
    for (size_t j = 0; j < 16; j++) m = (acc[j] > m || acc[j] != acc[j]) ? acc[j] : m;
    return m;
}

/* ---- vmath.c: ISA-dispatched vector math, serial (callers split the work) ---- */

/** y = act(x) over n floats; x == y allowed. Dispatches on dk_isa_active(). */
void dk_ops_activation(dk_activation act, float alpha, const float *x, float *y, size_t n);
/** y = exp(x) over n floats; x == y allowed. */
void dk_ops_exp(const float *x, float *y, size_t n);
/** y = exp(x - shift) over n floats and returns their sum; x == y allowed. */
float dk_ops_exp_shift_sum(const float *x, float shift, float *y, size_t n);
/** y = x * b^e over n floats (b > 0, as exp(e * log(b))); x == y allowed. */
void dk_ops_mul_pow(const float *x, const float *b, float e, float *y, size_t n);

/* ---- im2col.c: convolution lowering ----------------------------------------- */

/**
 * Rows [ci0 * kh * kw, ci1 * kh * kw) of the im2col matrix of one image's
 * group, restricted to output pixels (columns) [j0, j1): x points at the
 * group's first channel ([cg, h, w]); col is [cg * kh * kw, j1 - j0] and row
 * r = (ci * kh + ki) * kw + kj holds, for each output pixel j = oh * wo + ow,
 * the input value under tap (ki, kj) (0 in the padding).
 */
void dk_ops_im2col(const dk_conv2d_params *p, const float *x, size_t ci0, size_t ci1, size_t j0, size_t j1,
                   float *col);
/**
 * Rows [r0, r0 + out->kc) of the same matrix (r = (ci * kh + ki) * kw + kj,
 * from any r0, not only whole channels), columns [j0, j1), written in out's
 * panel layout: an implicit GEMM packs its B panels with it, and
 * dk_ops_im2col is its case of whole channels into a plain matrix.
 */
void dk_ops_im2col_rows(const dk_conv2d_params *p, const float *x, size_t r0, size_t j0, size_t j1,
                        const dk_sgemm_panels *out);
/**
 * One output channel of a transposed convolution: y (the [ho, wo] plane) is
 * set to bias and then accumulates the col rows of channel oc
 * (col is [mg * kh * kw, h * w]).
 */
void dk_ops_col2im_plane(const dk_conv2d_params *p, const float *col, size_t oc, float bias, float *y);

/* ---- depthwise_conv2d.c ---------------------------------------------------- */

/** Whether conv2d takes the direct depthwise kernel: groups == c, m a multiple of c. */
int dk_ops_depthwise_applies(const dk_conv2d_params *p);
/** Its workspace: a padded copy of one input plane per thread (0 without padding). */
size_t dk_ops_depthwise_workspace_floats(const dk_conv2d_params *p, int threads);
/** The direct depthwise convolution (bias and activation included), parallel over planes. */
void dk_ops_depthwise_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                              const float *w, const float *bias, float *y, float *workspace);

#pragma GCC visibility pop
#endif
