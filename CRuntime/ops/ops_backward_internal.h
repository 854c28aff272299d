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

/**
 * The (image, group) tasks of a GEMM-based convolution backward
 * (conv_backward_tasks.c). run(context, i, pool, col, gemm_ws, dw, dw_first)
 * does task i: its dx planes, and its dW_g added into dw's group (set by its
 * first GEMM when dw_first; dw NULL when no weight gradient is asked for),
 * with a column buffer of `col` floats and a GEMM workspace after it. pool is
 * NULL inside a parallel chunk.
 *
 * With enough tasks for the threads (dk_opsb_parallel_tasks), `threads` chunks
 * of consecutive tasks run in parallel, each with its thread's slice (col +
 * gemm1 floats) and its own dW partial (nw floats); the partials are then
 * summed into dw (dw_count floats) in chunk order, deterministic for a given
 * pool size. Otherwise the tasks run one after the other with the pool
 * (workspace: col + gemm floats), dW accumulated in place.
 */
typedef struct dk_opsb_conv_tasks {
    void (*run)(const void *context, size_t i, dk_pool *pool, float *col, float *gemm_ws, float *dw, int dw_first);
    const void *context;
    size_t tasks, groups;
    size_t col;      /* floats of a column buffer (0: none) */
    size_t gemm;     /* GEMM workspace floats with the pool's threads */
    size_t gemm1;    /* ... with one thread */
    size_t nw;       /* floats of a dW partial: dw_count rounded to 16 */
    size_t dw_count; /* floats of dw */
} dk_opsb_conv_tasks;

/** Runs the tasks (see dk_opsb_conv_tasks); dw may be NULL. */
void dk_opsb_conv_run(dk_pool *pool, const dk_opsb_conv_tasks *t, float *dw, int accumulate, float *workspace);
/** The workspace dk_opsb_conv_run needs with `threads` (t's gemm sized for them); SIZE_MAX on overflow. */
size_t dk_opsb_conv_workspace_floats(const dk_opsb_conv_tasks *t, int threads);
/**
 * im2col or col2im over input channels [ci0, ci1) and output pixels [j0, j1):
 * reads `in`, writes or adds into `out` (dk_ops_im2col's arguments).
 */
typedef void (*dk_opsb_channel_fn)(const dk_conv2d_params *p, const float *in, size_t ci0, size_t ci1, size_t j0,
                                   size_t j1, float *out);
/** fn over channels [0, channels), split over them on the pool when it has threads (pool may be NULL). */
void dk_opsb_split_channels(dk_pool *pool, dk_opsb_channel_fn fn, const dk_conv2d_params *p, const float *in,
                            size_t channels, size_t j0, size_t j1, float *out);

/** The direct depthwise backward (groups == c), parallel over input channels; no workspace. */
void dk_opsb_depthwise_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                const float *dy, float *dx, float *dw, int accumulate);

#pragma GCC visibility pop
#endif
