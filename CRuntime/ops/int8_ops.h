/*
 * int8 operator kernels over explicit NCHW buffers (the int8 counterparts of
 * ops.h), with the scheme and the one requantization rule of
 * gemm/q8_requant.h and docs/FORMAT.md ("int8"): per-channel symmetric int8
 * weights, per-tensor asymmetric int8 activations, int32 bias. Every op's
 * output is clamp(zero + rounded value, lo, hi), so a fused relu, relu6 or
 * clamp is only dk_q8_out's bounds.
 *
 * Conv and dense pack their constant weights and quantization once
 * (*_pack, per session, under the ISA active then; the packed buffer
 * remembers its kernel). Scratch is in bytes (*_workspace_bytes, 64-byte
 * aligned). Nothing allocates (except a GEMM given a NULL workspace), nothing
 * prints. Results are the same bits for every ISA and thread count.
 */
#ifndef DK_INT8_OPS_H
#define DK_INT8_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/pool.h"
#include "../gemm/igemm.h"
#include "ops.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

/* ---- convolution ----------------------------------------------------------------- */

/*
 * conv2d with p as filled by dk_conv2d_infer (p->activation and p->alpha
 * are ignored: q->out's clamp is the activation). w [m, c/groups, kh, kw]
 * int8 in [-127, 127]; q: x_zero, bias [m], multiplier / shift [m]
 * (dk_q8_multiplier of s_x * s_w[oc] / s_y), out. Padding taps read the
 * zero point (real 0). Grouped convolutions run one GEMM per group;
 * depthwise ones (groups == c) a direct kernel.
 */
/** Bytes of the packed weights (SIZE_MAX on overflow). */
size_t dk_q8_conv2d_packed_bytes(const dk_conv2d_params *p);
/** Packs w and q; returns 0, or -1 when a value is out of range. */
int dk_q8_conv2d_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed);
size_t dk_q8_conv2d_workspace_bytes(const dk_conv2d_params *p, int threads);
/**
 * x [n,c,h,w], y [n,m,ho,wo]; workspace: dk_q8_conv2d_workspace_bytes for
 * dk_pool_threads(pool), required. Returns 0, or -1 when packed is not a conv
 * packed for p's shape.
 */
int dk_q8_conv2d_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed, int8_t *y,
                         void *workspace);

/*
 * conv_transpose2d (PyTorch semantics) with groups 1 and dilation 1 (the
 * functions return SIZE_MAX / -1 for anything else): w [c, m, kh, kw] int8
 * in [-127, 127], per output channel m; q as for conv2d, with [m] arrays.
 * y[oc, oy, ox] = rule(bias[oc] + sum of w[ci, oc, ky, kx] * (x[ci, iy, ix] - zx)
 * over oy = iy * sh - pt + ky, ox = ix * sw - pl + kx); an output no tap
 * reaches is rule(bias[oc]).
 */
size_t dk_q8_conv_transpose2d_packed_bytes(const dk_conv2d_params *p);
int dk_q8_conv_transpose2d_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed);
size_t dk_q8_conv_transpose2d_workspace_bytes(const dk_conv2d_params *p, int threads);
/** x [n,c,h,w], y [n,m,ho,wo] (p as filled by dk_conv_transpose2d_infer); workspace required. Returns 0 or -1 as conv2d. */
int dk_q8_conv_transpose2d_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed,
                                   int8_t *y, void *workspace);

/* ---- dense ------------------------------------------------------------------------- */

/** w [m, k] int8; q as for conv2d with [m] arrays. */
size_t dk_q8_dense_packed_bytes(size_t k, size_t m);
int dk_q8_dense_pack(size_t k, size_t m, const int8_t *w, const dk_q8_quant *q, void *packed);
size_t dk_q8_dense_workspace_bytes(size_t n, size_t k, size_t m, int threads);
/** x [n, k], y [n, m]. Returns 0, or -1 as dk_q8_gemm. */
int dk_q8_dense_forward(dk_pool *pool, size_t n, const int8_t *x, const void *packed, int8_t *y, void *workspace);

/* ---- pooling ----------------------------------------------------------------------- */

/**
 * max_pool2d: y = clamp(max over the window clipped to the input, lo, hi).
 * The output keeps the input's scale and zero point (out->zero is not used).
 */
void dk_q8_max_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const int8_t *x, const dk_q8_out *out,
                              int8_t *y);
/**
 * pad: dk_pad_forward on int8, the padding filled with `value` (the quantized
 * constant). The output keeps the input's scale and zero point.
 */
void dk_q8_pad_forward(dk_pool *pool, const size_t dims[4], const size_t pads[8], int8_t value, const int8_t *x,
                       int8_t *y);
/**
 * avg_pool2d (PyTorch's divisor d: the window clipped to the padded input
 * when count_include_pad, else to the input): N = sum(x - x_zero) * m_d,
 * with (m_d, shift_d) = dk_q8_multiplier(s_x / (s_y * d)). Returns 0, or -1
 * when the scales give no multiplier (not finite, not positive, or too large).
 */
int dk_q8_avg_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const int8_t *x, int32_t x_zero,
                             float x_scale, float y_scale, const dk_q8_out *out, int8_t *y);
/** x [n, c, hw] -> y [n, c]: avg_pool2d's rule with d = hw (hw < 2^23). */
int dk_q8_global_avg_pool_forward(dk_pool *pool, size_t n, size_t c, size_t hw, const int8_t *x, int32_t x_zero,
                                  float x_scale, float y_scale, const dk_q8_out *out, int8_t *y);

/* ---- elementwise ------------------------------------------------------------------- */

/** One int8 tensor's scale and zero point. */
typedef struct dk_q8_param {
    float scale; /* finite, > 0 */
    int32_t zero; /* in [-128, 127] */
} dk_q8_param;

/**
 * y = clamp(zero + rshr((a - za) * m_a + (b - zb) * m_b, shift), lo, hi) with
 * dk_q8_rq2_from_real(s_a / s_y, s_b / s_y). a, b or both may be y.
 * Returns 0, or -1 when the scales give no multipliers.
 */
int dk_q8_add_forward(dk_pool *pool, const int8_t *a, dk_q8_param pa, const int8_t *b, dk_q8_param pb, int8_t *y,
                      float y_scale, const dk_q8_out *out, size_t count);
/** Requantize one tensor to (y_scale, out): the add rule with one input. x == y allowed. Also standalone relu / clamp. */
int dk_q8_requantize_forward(dk_pool *pool, const int8_t *x, dk_q8_param px, int8_t *y, float y_scale,
                             const dk_q8_out *out, size_t count);
/**
 * concat along one axis, each input seen as [outer, axis_i, inner] with its
 * own (scale, zero): every input is requantized to the output's scale and
 * zero point (a plain copy when they are equal and the clamp is the full range).
 */
int dk_q8_concat_forward(dk_pool *pool, size_t count, const int8_t *const *inputs, const dk_q8_param *params,
                         const size_t *axis_sizes, size_t outer, size_t inner, int8_t *y, float y_scale,
                         const dk_q8_out *out);

/* ---- boundaries -------------------------------------------------------------------- */

/** y = clamp(round_half_even(x / scale) + zero, lo, hi); NaN gives the zero point, infinities saturate. */
void dk_q8_quantize_forward(dk_pool *pool, const float *x, float scale, const dk_q8_out *out, int8_t *y,
                            size_t count);
/** y = (x - zero) * scale, in float (exact but for the one rounding of the product). */
void dk_q8_dequantize_forward(dk_pool *pool, const int8_t *x, dk_q8_param px, float *y, size_t count);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
