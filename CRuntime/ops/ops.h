/*
 * fp32 operator kernels over explicit NCHW buffers, in the llm.c style:
 * each op is a `dk_<op>_forward` (and, for the training engine, a
 * `dk_<op>_backward`) that reads and writes caller-owned memory, never
 * allocates, and is tested against `tests`' naive reference.
 *
 * Ops that need scratch state report it with `dk_<op>_workspace_floats`;
 * the caller passes that many floats (64-byte aligned) as `workspace`.
 */
#ifndef DK_OPS_H
#define DK_OPS_H

#include <stddef.h>
#include "../base/pool.h"
#include "../gemm/gemm.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

/* ---- convolution -------------------------------------------------------- */

/** Shared by conv2d and conv_transpose2d; (ho, wo) are filled by dk_conv2d_infer. */
typedef struct dk_conv2d_params {
    size_t n, c, h, w;      /* input */
    size_t m;               /* output channels */
    size_t kh, kw;          /* kernel */
    size_t sh, sw;          /* strides */
    size_t pt, pl, pb, pr;  /* padding: top, left, bottom, right */
    size_t dh, dw;          /* dilations */
    size_t oph, opw;        /* output padding (transposed only) */
    size_t groups;
    size_t ho, wo;          /* output spatial size */
    dk_activation activation;
    float alpha;
} dk_conv2d_params;

/** Fills ho/wo. Returns 0, or -1 when the configuration is impossible. */
int dk_conv2d_infer(dk_conv2d_params *p);
int dk_conv_transpose2d_infer(dk_conv2d_params *p);

/** x [n,c,h,w], w [m, c/groups, kh, kw], bias [m] or NULL, y [n,m,ho,wo]. */
size_t dk_conv2d_workspace_floats(const dk_conv2d_params *p, int threads);
void dk_conv2d_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                       const float *w, const float *bias, float *y, float *workspace);

/** x [n,c,h,w], w [c, m/groups, kh, kw] (PyTorch layout), bias [m] or NULL, y [n,m,ho,wo]. */
size_t dk_conv_transpose2d_workspace_floats(const dk_conv2d_params *p, int threads);
void dk_conv_transpose2d_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                                 const float *w, const float *bias, float *y, float *workspace);

/* ---- dense -------------------------------------------------------------- */

/** x [n,k], w [m,k], bias [m] or NULL, y [n,m]. */
size_t dk_dense_workspace_floats(size_t n, size_t k, size_t m, int threads);
void dk_dense_forward(dk_pool *pool, size_t n, size_t k, size_t m, const float *x,
                      const float *w, const float *bias, dk_activation act, float alpha,
                      float *y, float *workspace);

/* ---- pooling ------------------------------------------------------------ */

typedef struct dk_pool2d_params {
    size_t n, c, h, w;
    size_t kh, kw, sh, sw;
    size_t pt, pl, pb, pr;
    int ceil_mode;
    int count_include_pad; /* average pooling only */
    size_t ho, wo;
} dk_pool2d_params;

/** Fills ho/wo with PyTorch's rule. Returns 0, or -1 when impossible. */
int dk_pool2d_infer(dk_pool2d_params *p);
void dk_max_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const float *x, float *y);
void dk_avg_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const float *x, float *y);
/** x [n,c,hw] -> y [n,c]. */
void dk_global_avg_pool_forward(dk_pool *pool, size_t n, size_t c, size_t hw, const float *x, float *y);

/* ---- elementwise and normalisation ---------------------------------------- */

/** y = act(x); x == y allowed. */
void dk_activation_forward(dk_pool *pool, dk_activation act, float alpha, const float *x,
                           float *y, size_t count);
/** Softmax over the middle axis of [outer, axis, inner]; x == y allowed. */
void dk_softmax_forward(dk_pool *pool, size_t outer, size_t axis, size_t inner, const float *x,
                        float *y);
/** Inference batch norm folded to y = x * scale[c] + shift[c] over [n, c, inner]; x == y allowed. */
void dk_channel_affine_forward(dk_pool *pool, size_t n, size_t c, size_t inner,
                               const float *scale, const float *shift, const float *x, float *y);
/** Local response normalisation across channels, PyTorch's definition. */
void dk_lrn_forward(dk_pool *pool, size_t n, size_t c, size_t hw, size_t size, float alpha,
                    float beta, float k, const float *x, float *y);
/** y = act(a + b). */
void dk_add_forward(dk_pool *pool, const float *a, const float *b, float *y, size_t count,
                    dk_activation act, float alpha);
/**
 * Concatenation along one axis, seen as [outer, axis_i, inner] per input:
 * input i is copied to y at axis offset sum(axis_j, j < i). y's axis is total_axis.
 */
void dk_concat_forward(dk_pool *pool, size_t count, const float *const *inputs,
                       const size_t *axis_sizes, size_t outer, size_t inner, float *y);
/** Constant padding of a 4-d tensor: pads = (n, c, h, w) begin then end. */
void dk_pad_forward(dk_pool *pool, const size_t dims[4], const size_t pads[8], float value,
                    const float *x, float *y);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
