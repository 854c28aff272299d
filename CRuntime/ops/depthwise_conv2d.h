/*
 * Direct depthwise convolution, one output plane at a time. Internal to
 * CRuntime/ops.
 *
 * The portable kernel works on the convolution as given (padding handled by
 * clipping each tap's column range) and is the reference the SIMD kernels are
 * tested against. The SIMD kernels (AVX2, AVX-512, NEON) work on an unpadded
 * geometry in which every tap of every output lies inside the input plane:
 * the caller first copies a padded plane into workspace (or, without padding,
 * passes the input itself), so their loops carry no border logic at all.
 */
#ifndef DK_DEPTHWISE_CONV2D_H
#define DK_DEPTHWISE_CONV2D_H

#include "ops_internal.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/** An unpadded plane geometry: (ho - 1) * sh + (kh - 1) * dh < h, and the same across. */
typedef struct dk_dw_geom {
    ptrdiff_t h, w, ho, wo, kh, kw, sh, sw, dh, dw;
} dk_dw_geom;

/** One output plane, no activation: y[oh, ow] = bias + sum of k[ki, kj] * x[oh*sh + ki*dh, ow*sw + kj*dw]. */
typedef void (*dk_dw_plane_fn)(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
void dk_dw_plane_avx2(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y);
void dk_dw_plane_avx512(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y);
#endif
#if defined(__aarch64__)
void dk_dw_plane_neon(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y);
#endif

/** The portable kernel: one output plane of p (padding included), no activation. */
void dk_dw_plane_scalar(const dk_conv2d_params *p, const float *x, const float *k, float bias, float *y);

/* One output element of an unpadded geometry (the SIMD kernels' row tails). */
static inline float dk_dw_point(const dk_dw_geom *g, const float *x, const float *k, float bias, ptrdiff_t oh,
                                ptrdiff_t ow) {
    float acc = bias;
    for (ptrdiff_t ki = 0; ki < g->kh; ki++) {
        const float *row = x + (oh * g->sh + ki * g->dh) * g->w + ow * g->sw;
        for (ptrdiff_t kj = 0; kj < g->kw; kj++) acc += k[ki * g->kw + kj] * row[kj * g->dw];
    }
    return acc;
}

#pragma GCC visibility pop
#endif
