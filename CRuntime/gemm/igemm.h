/*
 * The int8 GEMM: int8 weights (per-channel symmetric, in [-127, 127]) times
 * int8 activations (per-tensor asymmetric), int32 accumulation, requantized
 * to int8 by the one rule of q8_requant.h, in a single pass over the output.
 *
 * The weights are constant: they are packed once (dk_q8_gemm_pack, per
 * session), together with every per-channel constant of the rule (bias with
 * the activation zero point folded in through the weights' row sums,
 * multipliers, shifts, limits) and the output's zero point and clamp. A call
 * then packs only the activations. Two layouts cover conv and dense:
 *
 *   DK_Q8_WEIGHTS_LEFT   y[c, j] = rq_c(bias[c] + sum_p w[c, p] * (x[p, j] - zx))
 *                        x is [k, n] (an im2col matrix, or a 1x1 conv's input),
 *                        y is [channels, n]: conv in NCHW.
 *   DK_Q8_WEIGHTS_RIGHT  y[i, c] = rq_c(bias[c] + sum_p (x[i, p] - zx) * w[c, p])
 *                        x is [n, k], y is [n, channels]: dense.
 *
 * The accumulator is defined modulo 2^32 (every path wraps alike); it is
 * the exact sum whenever |bias| + 255 * 127 * k < 2^31, which the exporter
 * guarantees (docs/FORMAT.md). Results are the same bits for every ISA and
 * every thread count.
 *
 * The packed buffer records the kernel it was packed for (the ISA active when
 * packing), and every call on it uses that kernel, so a later dk_isa_force
 * cannot mismatch layouts.
 */
#ifndef DK_IGEMM_H
#define DK_IGEMM_H

#include <stddef.h>
#include <stdint.h>

#include "../base/pool.h"
#include "q8_requant.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dk_q8_layout {
    DK_Q8_WEIGHTS_LEFT = 0,
    DK_Q8_WEIGHTS_RIGHT = 1
} dk_q8_layout;

/** The quantization of one int8 GEMM-like op (conv, dense): everything but the tensors. */
typedef struct dk_q8_quant {
    int32_t x_zero;            /* the activations' zero point, in [-128, 127] */
    const int32_t *bias;       /* [channels], or NULL for none */
    const int32_t *multiplier; /* [channels]: dk_q8_multiplier of s_x * s_w[c] / s_y */
    const int32_t *shift;      /* [channels] */
    dk_q8_out out;             /* the output's zero point and clamp */
} dk_q8_quant;

/** Bytes of a packed channels x k weight matrix, for any ISA (SIZE_MAX on overflow). */
size_t dk_q8_gemm_packed_bytes(size_t channels, size_t k);

/**
 * Packs w ([channels, k], row stride ldw; every value in [-127, 127]) and q
 * for `layout` under the active ISA into `packed` (dk_q8_gemm_packed_bytes,
 * 64-byte aligned). Returns 0, or -1 when a weight, zero point, clamp,
 * multiplier or shift is out of range (nothing useful is then packed).
 */
int dk_q8_gemm_pack(dk_q8_layout layout, size_t channels, size_t k, const int8_t *w, size_t ldw,
                    const dk_q8_quant *q, void *packed);

/** Bytes of scratch a call with n activation columns (LEFT) or rows (RIGHT) needs, for any ISA. */
size_t dk_q8_gemm_workspace_bytes(dk_q8_layout layout, size_t channels, size_t k, size_t n, int threads);

/**
 * y = the layout's product for n columns (LEFT: x [k, n] with row stride
 * ldx, y [channels, n] with row stride ldy) or n rows (RIGHT: x [n, k],
 * y [n, channels]). workspace: dk_q8_gemm_workspace_bytes, 64-byte aligned,
 * or NULL to allocate. Returns 0, or -1 if an allocation failed or `packed`
 * is not a packed matrix.
 */
int dk_q8_gemm(dk_pool *pool, const void *packed, size_t n, const int8_t *x, size_t ldx, int8_t *y, size_t ldy,
               void *workspace);

/** The packed matrix's layout, channels and k; -1 when `packed` is not a packed matrix. */
int dk_q8_gemm_packed_shape(const void *packed, dk_q8_layout *layout, size_t *channels, size_t *k);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
