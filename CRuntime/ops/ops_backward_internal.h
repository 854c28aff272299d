/*
 * Internal to CRuntime/ops: helpers shared by the backward kernels
 * (common_backward.c) and the direct depthwise backward. Nothing here is part
 * of ops.h's contract.
 */
#ifndef DK_OPS_BACKWARD_INTERNAL_H
#define DK_OPS_BACKWARD_INTERNAL_H

#include "ops_internal.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/** dst = src (accumulate == 0) or dst += src over n floats; dst == src allowed. Serial. */
void dk_opsb_write(float *dst, const float *src, size_t n, int accumulate);

/** The same over count floats, parallel over blocks of DK_OPS_BLOCK. */
void dk_opsb_write_parallel(dk_pool *pool, float *dst, const float *src, size_t count, int accumulate);

/**
 * Per-channel sums of dy [n, c, inner] (the bias gradient of a convolution):
 * out[ch] = (accumulate ? out[ch] : 0) + sum over n and inner, each plane summed
 * in float with 16 partial sums and the planes added in double. Parallel over channels.
 */
void dk_opsb_channel_sum(dk_pool *pool, size_t n, size_t c, size_t inner, const float *dy, float *out,
                         int accumulate);

/**
 * out[j] = (accumulate ? out[j] : 0) + sum over i < count of parts[i * stride + j],
 * for j < len, in order of i (deterministic). Parallel over blocks of j.
 */
void dk_opsb_reduce_parts(dk_pool *pool, const float *parts, size_t count, size_t stride, size_t len,
                          float *out, int accumulate);

/** Whether tasks run one per thread slot in parallel (the convolutions' rule). */
static inline int dk_opsb_parallel_tasks(size_t tasks, int threads) {
    if (threads <= 1) return 0;
    const size_t t = (size_t)threads;
    return tasks >= t && (tasks % t == 0 || tasks >= 4 * t);
}

/** The direct depthwise backward (groups == c), parallel over input channels; no workspace. */
void dk_opsb_depthwise_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                const float *dy, float *dx, float *dw, int accumulate);

#pragma GCC visibility pop
#endif
