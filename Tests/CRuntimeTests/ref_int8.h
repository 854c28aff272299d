/*
 * Plain references for the int8 kernels, written from docs/FORMAT.md's
 * int8 section and not from the library's code: int64 sums wrapped to int32
 * as the format defines, the rounding shift computed on int64 numerators
 * (no saturation limit), direct loops for every op. The kernels must match
 * them byte for byte.
 *
 * Also the real-valued oracles: the same ops on dequantized values in
 * double, for the "within 1 LSB of the exact math" checks.
 */
#ifndef DLRT_REF_INT8_H
#define DLRT_REF_INT8_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

/** clamp(zero + rshr(n, shift), lo, hi) for |n| < 2^62. */
int8_t ref_q8_rshr_out(int64_t n, int shift, const dk_q8_out *o);
/** clamp(zero + round_half_away(v), lo, hi) for a real v (the oracle's rounding). */
int8_t ref_q8_round_real(double v, const dk_q8_out *o);
/** The accumulator as the format defines it: an exact sum taken modulo 2^32. */
int32_t ref_q8_wrap(int64_t v);

/**
 * y[c, j] (left) or y[j, c] (right) = rule(bias[c] + sum_p w[c, p] (x - zx)),
 * for j < n: x is [k, n] (left) or [n, k] (right) with row stride ldx.
 */
void ref_q8_gemm(dk_q8_layout layout, size_t channels, size_t k, size_t n, const int8_t *w, size_t ldw,
                 const dk_q8_quant *q, const int8_t *x, size_t ldx, int8_t *y, size_t ldy);

/** conv2d (groups, depthwise, padding = zero point) straight from the definition; p filled by dk_conv2d_infer. */
void ref_q8_conv2d(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const dk_q8_quant *q, int8_t *y);
/**
 * conv_transpose2d (groups 1; w [c, m, kh, kw]) straight from the definition: every input tap
 * w[ci, oc, ky, kx] * (x - zx) added at (iy * sh - pt + ky * dh, ix * sw - pl + kx * dw) of an int64
 * image starting at the bias, then the rule; p filled by dk_conv_transpose2d_infer.
 */
void ref_q8_conv_transpose2d(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const dk_q8_quant *q,
                             int8_t *y);
/** The same in double on dequantized values: y_real[oc] = s_x s_w[oc] (bias + sum w (x - zx)) / s_y, unrounded. */
void ref_q8_conv2d_real(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const int32_t *bias,
                        int32_t x_zero, double x_scale, const double *w_scale, double y_scale, double *y);

void ref_q8_max_pool2d(const dk_pool2d_params *p, const int8_t *x, const dk_q8_out *o, int8_t *y);
/** avg_pool2d: the window sum times the multiplier of s_x / (s_y d), d PyTorch's divisor. real: the unrounded value. */
void ref_q8_avg_pool2d(const dk_pool2d_params *p, const int8_t *x, int32_t x_zero, float x_scale, float y_scale,
                       const dk_q8_out *o, int8_t *y, double *real);

/** The pair rule with dk_q8_rq2_from_real(s_a / s_y, s_b / s_y); b NULL: one input. real: unrounded (a-za) s_a/s_y + ... */
void ref_q8_add(const int8_t *a, dk_q8_param pa, const int8_t *b, dk_q8_param pb, float y_scale, const dk_q8_out *o,
                size_t count, int8_t *y, double *real);

/** clamp(nearbyint(x / scale) + zero, lo, hi) (the default rounding mode), NaN -> zero. */
void ref_q8_quantize(const float *x, float scale, const dk_q8_out *o, size_t count, int8_t *y);

#endif
