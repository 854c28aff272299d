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
#include <stdint.h>
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
/**
 * Constant weights packed once into the GEMM's A-panel layout (dk_sgemm_pack_a,
 * so ISA-specific: use them only under the ISA active when packing).
 * dk_conv2d_packed_weights_floats: 0 when this conv does not use packed weights
 * (depthwise), SIZE_MAX on overflow. dk_conv2d_forward_packed: packed_w NULL is
 * dk_conv2d_forward; otherwise w is not read by the GEMM path (pass it anyway).
 */
size_t dk_conv2d_packed_weights_floats(const dk_conv2d_params *p);
void dk_conv2d_pack_weights(const dk_conv2d_params *p, const float *w, float *packed);
void dk_conv2d_forward_packed(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                              const float *packed_w, const float *bias, float *y, float *workspace);

/** x [n,c,h,w], w [c, m/groups, kh, kw] (PyTorch layout), bias [m] or NULL, y [n,m,ho,wo]. */
size_t dk_conv_transpose2d_workspace_floats(const dk_conv2d_params *p, int threads);
void dk_conv_transpose2d_forward(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                                 const float *w, const float *bias, float *y, float *workspace);
/** As the conv2d ones: weights packed once (ISA-specific); packed_w NULL is the plain forward. */
size_t dk_conv_transpose2d_packed_weights_floats(const dk_conv2d_params *p);
void dk_conv_transpose2d_pack_weights(const dk_conv2d_params *p, const float *w, float *packed);
void dk_conv_transpose2d_forward_packed(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                                        const float *w, const float *packed_w, const float *bias, float *y,
                                        float *workspace);

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

/* ---- embedding and recurrent layers ---------------------------------------- */

/**
 * Position of the first of `count` ids that is not an integer in [0, rows)
 * (NaN and infinities included; -0 counts as 0), or `count` when all are.
 */
size_t dk_embedding_find_invalid(const float *ids, size_t count, size_t rows);
/**
 * y [count, dim] = the rows of table [rows, dim] that ids [count] name (f32
 * integers). Every id is checked before anything is written: returns 0, or
 * -1 when dk_embedding_find_invalid finds one (y untouched, no row read).
 */
int dk_embedding_forward(size_t count, size_t rows, size_t dim, const float *ids, const float *table, float *y);

/** The cell; its value is the number of gates G (rows of W_ih are G * h). */
typedef enum dk_recurrent_cell { DK_CELL_RNN_TANH = 1, DK_CELL_GRU = 3, DK_CELL_LSTM = 4 } dk_recurrent_cell;

typedef struct dk_recurrent_params {
    dk_recurrent_cell cell;
    size_t n, t, i, h; /* batch, steps, input features, hidden size */
} dk_recurrent_params;

/**
 * One recurrent layer over a batch-first sequence, PyTorch's nn.RNN (tanh) /
 * nn.LSTM / nn.GRU with batch_first=True and one layer: x [n, t, i],
 * w_ih [G*h, i], w_hh [G*h, h], b_ih / b_hh [G*h] or NULL (zero), gate rows
 * in PyTorch's order (LSTM i, f, g, o; GRU r, z, n). h0 / c0 [n, h] are the
 * start state (NULL: zeros; c0 only for LSTM); y [n, t, h] receives every
 * step's h, and h_n / c_n [n, h] the state after the last step (NULL: not
 * written). The input projection is one dk_dense_forward over all n * t rows,
 * then each step one over h; the gate math uses vmath's sigmoid and tanh, on
 * the calling thread. Workspace: dk_recurrent_workspace_floats (SIZE_MAX on
 * overflow). Results do not depend on the thread count.
 */
size_t dk_recurrent_workspace_floats(const dk_recurrent_params *p, int threads);
void dk_recurrent_forward(dk_pool *pool, const dk_recurrent_params *p, const float *x, const float *w_ih,
                          const float *w_hh, const float *b_ih, const float *b_hh, const float *h0, const float *c0,
                          float *y, float *h_n, float *c_n, float *workspace);

/* ==== backward (training) ================================================
 *
 * Conventions shared by every dk_<op>_backward (and dk_softmax_cross_entropy):
 *  - dy is dL/dy for the op's output y; the results are dL/d(input) and
 *    dL/d(parameter) with PyTorch autograd's values.
 *  - accumulate == 0: every gradient buffer given is overwritten, and its old
 *    contents are never read (NaN included). accumulate != 0: the gradient is
 *    added to it (g += dL/d.), so the engine can sum over a tensor's uses or
 *    over micro-batches without a zeroing pass. The flag applies to every
 *    gradient output of the call.
 *  - A NULL gradient pointer is not computed and its work is skipped; an input
 *    that only it needs may then be NULL too (noted per op).
 *  - Fused activations (p->activation, act) are not differentiated: the
 *    backward is that of the op without its activation. After a forward with
 *    a fused activation, run dk_activation_backward on its output y first.
 *  - Gradient buffers must not overlap the inputs unless noted. The kernels
 *    never allocate: scratch comes from the caller, as many floats as the
 *    op's *_workspace_floats(..., threads = dk_pool_threads(pool)) returns,
 *    64-byte aligned (NULL when that is 0). Results are deterministic for a
 *    given pool size.
 */

/* ---- convolution backward ------------------------------------------------ */

/**
 * conv2d (any stride, padding, dilation, groups, depthwise included):
 * dx [n,c,h,w] (x's gradient), dw [m, c/groups, kh, kw], db [m]; p as filled
 * by dk_conv2d_infer. x may be NULL when dw is, w when dx is. GEMM-based
 * (dw = dy * im2col(x)^T per image, dx = col2im(W^T * dy); no im2col for a
 * 1x1 stride-1 unpadded conv); depthwise (groups == c) has a direct kernel.
 */
size_t dk_conv2d_backward_workspace_floats(const dk_conv2d_params *p, int threads);
void dk_conv2d_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                        const float *dy, float *dx, float *dw, float *db, int accumulate,
                        float *workspace);

/**
 * conv_transpose2d (stride, padding, output padding, dilation, groups), p as
 * filled by dk_conv_transpose2d_infer: dx [n,c,h,w], dw [c, m/groups, kh, kw],
 * db [m]. x may be NULL when dw is, w when dx is.
 */
size_t dk_conv_transpose2d_backward_workspace_floats(const dk_conv2d_params *p, int threads);
void dk_conv_transpose2d_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x,
                                  const float *w, const float *dy, float *dx, float *dw, float *db,
                                  int accumulate, float *workspace);

/* ---- dense backward -------------------------------------------------------- */

/** dx [n,k] = dy [n,m] * w; dw [m,k] = dy^T * x; db [m] = column sums of dy. */
size_t dk_dense_backward_workspace_floats(size_t n, size_t k, size_t m, int threads);
void dk_dense_backward(dk_pool *pool, size_t n, size_t k, size_t m, const float *x, const float *w,
                       const float *dy, float *dx, float *dw, float *db, int accumulate,
                       float *workspace);

/* ---- pooling backward ------------------------------------------------------ */

/**
 * max_pool2d: the argmax is recomputed from x (no index buffer), exactly as
 * PyTorch's CPU kernel picks it: windows clipped to the input, scanned row by
 * row, the first maximum wins ties, and a NaN wins over numbers (the last NaN
 * of the window when there are several); a window of -inf routes its gradient
 * to its first element. dx [n,c,h,w] receives dy at each window's argmax
 * (summed where windows overlap). A plane must hold fewer than 2^31 elements.
 */
void dk_max_pool2d_backward(dk_pool *pool, const dk_pool2d_params *p, const float *x, const float *dy,
                            float *dx, int accumulate);
/** avg_pool2d (ceil_mode, count_include_pad): dy / divisor spread over each window. */
void dk_avg_pool2d_backward(dk_pool *pool, const dk_pool2d_params *p, const float *dy, float *dx,
                            int accumulate);
/** dy [n,c] -> dx [n,c,hw] = dy / hw. */
void dk_global_avg_pool_backward(dk_pool *pool, size_t n, size_t c, size_t hw, const float *dy,
                                 float *dx, int accumulate);

/* ---- elementwise and normalisation backward --------------------------------- */

/**
 * Given the forward's OUTPUT y (so that an in-place forward suffices):
 * relu dy * (y > 0), leaky relu dy * (y > 0 ? 1 : alpha) (needs alpha >= 0, as
 * PyTorch's in-place leaky relu), sigmoid dy * y * (1 - y), tanh dy * (1 - y^2),
 * relu6 dy * (0 < y < 6) (PyTorch's hardtanh rule: 0 at both ends), none dy.
 * dx == dy allowed.
 */
void dk_activation_backward(dk_pool *pool, dk_activation act, float alpha, const float *y,
                            const float *dy, float *dx, size_t count, int accumulate);
/** Softmax over the middle axis of [outer, axis, inner], given its output y: dx = y * (dy - sum(dy * y)). dx == dy allowed. */
void dk_softmax_backward(dk_pool *pool, size_t outer, size_t axis, size_t inner, const float *y,
                         const float *dy, float *dx, int accumulate);
/** dk_lrn_forward's backward, given its input x. */
size_t dk_lrn_backward_workspace_floats(size_t c, int threads);
void dk_lrn_backward(dk_pool *pool, size_t n, size_t c, size_t hw, size_t size, float alpha, float beta,
                     float k, const float *x, const float *dy, float *dx, int accumulate,
                     float *workspace);
/** y = x * scale[c] + shift[c]: dx = dy * scale, dscale = sum dy * x, dshift = sum dy (x may be NULL when dscale is). */
void dk_channel_affine_backward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x,
                                const float *scale, const float *dy, float *dx, float *dscale,
                                float *dshift, int accumulate);

/**
 * Training-mode batch norm over [n, c, inner] (PyTorch's BatchNorm2d.train()):
 * per channel, mean and biased variance over n * inner values (accumulated in
 * double), y = (x - mean) / sqrt(var + eps) * gamma + beta. Writes save_mean
 * and save_invstd [c] (for dk_batch_norm_backward) when not NULL, and updates
 * running_mean / running_var [c] when not NULL:
 *   running = (1 - momentum) * running + momentum * batch value,
 * with the UNBIASED variance (var * N / (N - 1)) for running_var. N = n * inner
 * must be > 1 (PyTorch refuses N == 1). gamma / beta NULL mean 1 / 0. x == y allowed.
 */
void dk_batch_norm_train_forward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x,
                                 const float *gamma, const float *beta, float eps, float momentum,
                                 float *running_mean, float *running_var, float *save_mean,
                                 float *save_invstd, float *y);
/**
 * Its backward (training mode: the batch statistics depend on x), PyTorch's
 * formula: with xhat = (x - mean) * invstd, dbeta = sum dy,
 * dgamma = sum dy * xhat, dx = gamma * invstd * (dy - dbeta / N - xhat * dgamma / N).
 * gamma NULL means 1.
 */
void dk_batch_norm_backward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x,
                            const float *dy, const float *gamma, const float *save_mean,
                            const float *save_invstd, float *dx, float *dgamma, float *dbeta,
                            int accumulate);

/** y = act(a + b): da = db = dy (either may be NULL; da == dy allowed). Run dk_activation_backward first for a fused act. */
void dk_add_backward(dk_pool *pool, const float *dy, float *da, float *db, size_t count, int accumulate);
/** dk_concat_forward's backward: the split of dy; dinputs[i] may be NULL (skipped). */
void dk_concat_backward(dk_pool *pool, size_t count, const float *dy, const size_t *axis_sizes,
                        size_t outer, size_t inner, float *const *dinputs, int accumulate);
/** dk_pad_forward's backward: dx [dims] is the crop of dy. */
void dk_pad_backward(dk_pool *pool, const size_t dims[4], const size_t pads[8], const float *dy, float *dx,
                     int accumulate);

/* ---- loss ------------------------------------------------------------------- */

/**
 * Softmax cross-entropy from logits [n, classes] with class-index labels,
 * PyTorch's CrossEntropyLoss(label_smoothing = eps, reduction = 'mean'):
 * per row, loss = (1 - eps) * (lse - x[label]) + eps / classes * sum_c (lse - x[c]),
 * averaged over the rows with a label >= 0. A negative label is ignored (as
 * PyTorch's ignore_index, default -100): its row counts for nothing and gets a
 * zero gradient; with every row ignored the loss is NaN (0 / 0, as PyTorch).
 * A label >= classes is invalid: that row's loss and gradient are NaN.
 * Returns the mean loss; when dlogits is not NULL also writes (or adds) its
 * gradient (softmax - target) / rows_counted, target = (1 - eps) * onehot + eps / classes.
 */
size_t dk_softmax_cross_entropy_workspace_floats(size_t n, size_t classes, int threads);
float dk_softmax_cross_entropy(dk_pool *pool, size_t n, size_t classes, const float *logits,
                               const int32_t *labels, float label_smoothing, float *dlogits,
                               int accumulate, float *workspace);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
