/*
 * Naive double-precision references for the backward kernels of
 * CRuntime/ops/ops.h, and the double forwards they are the derivatives of.
 * The backward references are written from the definition dL/dx_i =
 * sum_j dy_j * dy_j/dx_i: the forward's own loops, with every term
 * y[j] += f(x[i], ...) turned into dx[i] += dy[j] * df/dx[i] (and the small
 * Jacobians of softmax, LRN and batch norm written out element by element).
 * test_ops_backward.c checks each against central differences of its forward,
 * and each double forward against ref_ops.c's forward, so the oracle itself
 * is verified. They call nothing from CRuntime.
 *
 * All arrays are double; outputs are overwritten. A NULL gradient is skipped.
 * `*_mag` outputs (may be NULL) receive, per gradient element, the sum of the
 * absolute values of its terms: the scale of a float kernel's rounding error.
 * Shapes come from the params, whose ho / wo must be filled.
 */
#ifndef REF_OPS_BACKWARD_H
#define REF_OPS_BACKWARD_H

#include <stddef.h>
#include <stdint.h>

#include "ops/ops.h"

/* conv2d, no activation: y [n,m,ho,wo] = conv(x [n,c,h,w], w [m,c/g,kh,kw]) + b [m] (b may be NULL). */
void refb_conv2d_forward(const dk_conv2d_params *p, const double *x, const double *w, const double *b, double *y);
void refb_conv2d_backward(const dk_conv2d_params *p, const double *x, const double *w, const double *dy,
                          double *dx, double *dw, double *db, double *dx_mag, double *dw_mag, double *db_mag);

/* conv_transpose2d, no activation: w [c, m/g, kh, kw]. */
void refb_conv_transpose2d_forward(const dk_conv2d_params *p, const double *x, const double *w, const double *b,
                                   double *y);
void refb_conv_transpose2d_backward(const dk_conv2d_params *p, const double *x, const double *w,
                                    const double *dy, double *dx, double *dw, double *db, double *dx_mag,
                                    double *dw_mag, double *db_mag);

/* dense, no activation: y [n,m] = x [n,k] * w [m,k]^T + b. */
void refb_dense_forward(size_t n, size_t k, size_t m, const double *x, const double *w, const double *b, double *y);
void refb_dense_backward(size_t n, size_t k, size_t m, const double *x, const double *w, const double *dy,
                         double *dx, double *dw, double *db, double *dx_mag, double *dw_mag, double *db_mag);

/* Pools (p's ho / wo filled). Max: the window's argmax by PyTorch's CPU scan (first max, last NaN). */
void refb_max_pool2d_forward(const dk_pool2d_params *p, const double *x, double *y);
void refb_max_pool2d_backward(const dk_pool2d_params *p, const double *x, const double *dy, double *dx);
void refb_avg_pool2d_forward(const dk_pool2d_params *p, const double *x, double *y);
void refb_avg_pool2d_backward(const dk_pool2d_params *p, const double *dy, double *dx);
void refb_global_avg_pool_forward(size_t n, size_t c, size_t hw, const double *x, double *y);
void refb_global_avg_pool_backward(size_t n, size_t c, size_t hw, const double *dy, double *dx);

/* act(v) and d act / dv at v (PyTorch's value at the kinks: relu'(0) = 0, leaky'(0) = alpha, relu6' = 0 at 0 and 6). */
double refb_act(dk_activation act, double alpha, double v);
double refb_act_grad(dk_activation act, double alpha, double v);

/* Softmax over the middle axis of [outer, axis, inner]; the backward from x, through the full Jacobian. */
void refb_softmax_forward(size_t outer, size_t axis, size_t inner, const double *x, double *y);
void refb_softmax_backward(size_t outer, size_t axis, size_t inner, const double *x, const double *dy, double *dx);

/* LRN across channels (PyTorch's local_response_norm); backward through its Jacobian. */
void refb_lrn_forward(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
                      const double *x, double *y);
void refb_lrn_backward(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
                       const double *x, const double *dy, double *dx);

/* y = x * scale[c] + shift[c] over [n, c, inner]. */
void refb_channel_affine_forward(size_t n, size_t c, size_t inner, const double *scale, const double *shift,
                                 const double *x, double *y);
void refb_channel_affine_backward(size_t n, size_t c, size_t inner, const double *x, const double *scale,
                                  const double *dy, double *dx, double *dscale, double *dshift);

/*
 * Training batch norm over [n, c, inner]: mean[c] and the biased var[c] of the
 * batch (written when not NULL), y = (x - mean) / sqrt(var + eps) * gamma + beta.
 * The backward recomputes the statistics from x and applies the Jacobian
 * dy_j/dx_i = gamma * invstd * (delta_ij - 1/N - xhat_i * xhat_j / N) element by element.
 */
void refb_batch_norm_train_forward(size_t n, size_t c, size_t inner, const double *x, const double *gamma,
                                   const double *beta, double eps, double *y, double *mean, double *var);
void refb_batch_norm_backward(size_t n, size_t c, size_t inner, const double *x, const double *gamma, double eps,
                              const double *dy, double *dx, double *dgamma, double *dbeta);

/* concat along [outer, axis_i, inner] and its split; pad (4-d, pads begin then end) and its crop. */
void refb_concat_forward(size_t count, const double *const *inputs, const size_t *axis_sizes, size_t outer,
                         size_t inner, double *y);
void refb_concat_backward(size_t count, const double *dy, const size_t *axis_sizes, size_t outer, size_t inner,
                          double *const *dinputs);
void refb_pad_forward(const size_t dims[4], const size_t pads[8], double value, const double *x, double *y);
void refb_pad_backward(const size_t dims[4], const size_t pads[8], const double *dy, double *dx);

/*
 * CrossEntropyLoss(label_smoothing = eps, reduction = 'mean') from logits [n, classes] with
 * class labels (negative: ignored): returns the loss, written as PyTorch composes it
 * ((1 - eps) * mean nll + eps / C * mean of -sum log_softmax), and the gradient
 * (softmax - target) / rows_counted in dlogits (may be NULL).
 */
double refb_softmax_cross_entropy(size_t n, size_t classes, const double *logits, const int32_t *labels,
                                  double eps, double *dlogits);

#endif
