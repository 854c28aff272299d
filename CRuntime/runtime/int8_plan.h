/*
 * The quantization of every int8 node, derived once at load from the
 * file's scales (docs/FORMAT.md, "int8"): per-channel multipliers, the
 * output's zero point and the clamp of its fused activation, and each
 * input's scale and zero point. Deriving them also checks the numbers the
 * format constrains (weight range, bias scale, accumulator bound,
 * multiplier ranges), so a loaded model never hands a kernel values it
 * would refuse.
 */
#ifndef DK_INT8_PLAN_H
#define DK_INT8_PLAN_H

#include "../format/model.h"
#include "../ops/int8_ops.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

typedef struct dk_q8_node {
    dk_q8_param x;          /* input 0 (quantize: unused) */
    dk_q8_param b;          /* add: input 1 */
    float y_scale;          /* the output's scale (dequantize: unused) */
    dk_q8_out out;          /* the output's zero point and the fused activation's clamp */
    const int32_t *bias;    /* conv, dense: the file's int32 bias, or NULL */
    int32_t *multiplier;    /* conv, dense: per output channel, of s_x * s_w[c] / s_y */
    int32_t *shift;         /* conv, dense: per output channel */
    dk_q8_param *inputs;    /* concat: every input's */
    int8_t pad_value;       /* pad: the constant, quantized with the output's scale and zero point */
} dk_q8_node;

/** After shape checks: fills node->q8 for every int8 node, refusing numbers the format rules out. */
dlrt_status dk_plan_int8(dlrt_model *m);
/** What conv and dense pack with: the node's quantization as dk_q8_gemm takes it. */
dk_q8_quant dk_q8_node_quant(const dk_q8_node *q);

#pragma GCC visibility pop
#endif
