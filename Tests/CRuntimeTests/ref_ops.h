/*
 * Naive reference implementations of the ops in CRuntime/ops/ops.h: the
 * definitions written as direct loops, accumulated in double. They are the
 * oracles for test_ops.c and call nothing from the optimised code (no
 * dk_sgemm, no im2col); output sizes are computed here from PyTorch's formulas.
 *
 * Where an op sums products, `mag` (if not NULL) receives for every output the
 * sum of the absolute values of its terms (bias included), the scale against
 * which a float implementation's rounding error is judged.
 */
#ifndef REF_OPS_H
#define REF_OPS_H

#include <stddef.h>

#include "ops/ops.h"

/** act(v) in double, PyTorch's definitions (relu6 = hardtanh(0, 6)). */
double refop_act(dk_activation act, double alpha, double v);

/** PyTorch's conv2d output size; returns -1 when there is none. */
int refop_conv2d_shape(const dk_conv2d_params *p, size_t *ho, size_t *wo);
/** x [n,c,h,w], w [m, c/g, kh, kw], bias [m] or NULL -> y, mag [n, m, ho, wo] (sizes from refop_conv2d_shape). */
void refop_conv2d(const dk_conv2d_params *p, const float *x, const float *w, const float *bias, double *y,
                  double *mag);

/** PyTorch's conv_transpose2d output size; -1 when none or output padding >= max(stride, dilation). */
int refop_conv_transpose2d_shape(const dk_conv2d_params *p, size_t *ho, size_t *wo);
/** The scatter definition: every input pixel adds x * w[ci, oc, ki, kj] at (ih*s - pad + k*d). */
void refop_conv_transpose2d(const dk_conv2d_params *p, const float *x, const float *w, const float *bias,
                            double *y, double *mag);

void refop_dense(size_t n, size_t k, size_t m, const float *x, const float *w, const float *bias,
                 dk_activation act, double alpha, double *y, double *mag);

/** PyTorch's pooling_output_shape (dilation 1) with begin/end padding; 0 when none. */
size_t refop_pool_out(size_t in, size_t k, size_t s, size_t pad_begin, size_t pad_end, int ceil_mode);
/** Max over the window clipped to the input; NaN propagates. Uses p's own ho/wo fields. */
void refop_max_pool2d(const dk_pool2d_params *p, const float *x, double *y);
/** PyTorch's avg_pool2d (CPU kernel's divisor rules). Uses p's own ho/wo fields. */
void refop_avg_pool2d(const dk_pool2d_params *p, const float *x, double *y);
void refop_global_avg_pool(size_t n, size_t c, size_t hw, const float *x, double *y);

void refop_softmax(size_t outer, size_t axis, size_t inner, const float *x, double *y);
void refop_channel_affine(size_t n, size_t c, size_t inner, const float *scale, const float *shift,
                          const float *x, double *y);
/** torch.nn.functional.local_response_norm, written as its zero padding and average over channels. */
void refop_lrn(size_t n, size_t c, size_t hw, size_t size, double alpha, double beta, double k,
               const float *x, double *y);
void refop_add(const float *a, const float *b, double *y, size_t count, dk_activation act, double alpha);
void refop_concat(size_t count, const float *const *inputs, const size_t *axis_sizes, size_t outer,
                  size_t inner, double *y);
void refop_pad(const size_t dims[4], const size_t pads[8], double value, const float *x, double *y);

/** Largest input or hidden size refop_recurrent takes. */
#define REFOP_RECURRENT_MAX 1024
/**
 * One recurrent layer, PyTorch's nn.RNN (tanh) / nn.GRU / nn.LSTM equations
 * with batch_first=True, written out per element in double with libm's exp
 * and tanh: gates 1 rnn, 3 gru (r, z, n), 4 lstm (i, f, g, o). x [n,t,in],
 * w_ih [gates*hs, in], w_hh [gates*hs, hs], biases [gates*hs] or NULL;
 * h0, c0 [n,hs] or NULL (zeros). y [n,t,hs]; h_n, c_n [n,hs] or NULL.
 */
void refop_recurrent(int gates, size_t n, size_t t, size_t in, size_t hs, const float *x, const float *w_ih,
                     const float *w_hh, const float *b_ih, const float *b_hh, const float *h0, const float *c0, double *y,
                     double *h_n, double *c_n);

#endif
