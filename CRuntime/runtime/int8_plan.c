#include "int8_plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../format/graph_check.h"
#include "status.h"

#define FAIL(status, n, node, ...) fail_node(status, n, node, __VA_ARGS__)

static dlrt_status fail_node(dlrt_status status, uint32_t n, const dk_node *node, const char *format, ...) DK_PRINTF(4, 5);

static dlrt_status fail_node(dlrt_status status, uint32_t n, const dk_node *node, const char *format, ...) {
    char why[400];
    va_list args;
    va_start(args, format);
    vsnprintf(why, sizeof why, format, args);
    va_end(args);
    return dk_fail(status, "node %u (%s): %s", n, dk_op_name(node->op), why);
}

static dk_q8_param param_of(const dk_tensor *t) { return (dk_q8_param){t->scales[0], t->zero_points[0]}; }

static uint64_t elements_of(const dk_tensor *t) {
    uint64_t e = 1;
    for (uint32_t d = 0; d < t->rank; d++) e *= (uint64_t)t->dims[d];
    return e;
}

/* The output clamp of a fused activation: none, relu or relu6 (the only ones int8 takes). */
static dk_q8_out activation_out(int64_t activation, dk_q8_param y) {
    dk_q8_out o = {y.zero, -128, 127};
    if (activation == 1 || activation == 5) o.lo = y.zero;
    if (activation == 5) {
        double top = (double)y.zero + round(6.0 / (double)y.scale); /* round: half away from zero */
        o.hi = top < 127.0 ? (int32_t)top : 127;
    }
    return o;
}

/* The output channels of a weighted op: axis 1 of conv_transpose2d's [C, M, kh, kw], else axis 0. */
static uint64_t output_channels(const dk_tensor *w, dk_op op) { return (uint64_t)w->dims[op == DK_OP_CONV_TRANSPOSE2D ? 1 : 0]; }

/*
 * K of the accumulator bound: the most products one output sums. For
 * conv_transpose2d (groups 1, dilation 1) an output takes tap ky only when
 * ky = oy + pt (mod sh), so at most C * ceil(kh / sh) * ceil(kw / sw).
 */
static uint64_t accumulated_products(const dk_tensor *w, const dk_node *node) {
    if (node->op != DK_OP_CONV_TRANSPOSE2D) return elements_of(w) / (uint64_t)w->dims[0];
    const uint64_t sh = (uint64_t)node->attrs.strides[0], sw = (uint64_t)node->attrs.strides[1];
    return (uint64_t)w->dims[0] * (((uint64_t)w->dims[2] + sh - 1) / sh) * (((uint64_t)w->dims[3] + sw - 1) / sw);
}

/* Conv, conv_transpose2d and dense: weight range, bias scale, accumulator bound and per-channel multipliers. */
static dlrt_status plan_weighted(const dlrt_model *m, uint32_t n, const dk_node *node, dk_q8_node *q) {
    const dk_tensor *w = &m->tensors[node->inputs[1]];
    const dk_tensor *b = node->input_count > 2 && node->inputs[2] != DK_NO_TENSOR ? &m->tensors[node->inputs[2]] : NULL;
    const uint64_t channels = output_channels(w, node->op), count = elements_of(w), k = accumulated_products(w, node);
    const int8_t *weights = w->data;
    for (uint64_t i = 0; i < count; i++)
        if (weights[i] == -128)
            return FAIL(DLRT_ERR_FORMAT, n, node, "weight '%s' holds -128 at element %llu; int8 weights are in [-127, 127]", w->name,
                        (unsigned long long)i);
    q->bias = b != NULL ? (const int32_t *)b->data : NULL;
    for (uint64_t c = 0; c < channels; c++) {
        const double input_times_weight = (double)q->x.scale * (double)w->scales[c];
        if (b != NULL && !(fabs((double)b->scales[c] - input_times_weight) <= 1e-5 * input_times_weight))
            return FAIL(DLRT_ERR_FORMAT, n, node, "bias '%s' channel %llu has scale %.9g, but s_x * s_w = %.9g (they must agree within 1e-5)",
                        b->name, (unsigned long long)c, (double)b->scales[c], input_times_weight);
        const int64_t bias = q->bias != NULL ? q->bias[c] : 0;
        const int64_t bound = (bias < 0 ? -bias : bias) + (int64_t)255 * 127 * (int64_t)k;
        if (bound >= ((int64_t)1 << 31))
            return FAIL(DLRT_ERR_FORMAT, n, node,
                        "channel %llu: |bias| + 255 * 127 * K = %lld (K = %llu) reaches 2^31, so the int32 accumulator could overflow",
                        (unsigned long long)c, (long long)bound, (unsigned long long)k);
        const double multiplier = input_times_weight / (double)q->y_scale;
        if (dk_q8_multiplier(multiplier, &q->multiplier[c], &q->shift[c]) != 0)
            return FAIL(DLRT_ERR_FORMAT, n, node, "channel %llu: multiplier s_x * s_w / s_y = %g is not below 2^30", (unsigned long long)c,
                        multiplier);
    }
    return DLRT_OK;
}

/* Add, concat and relu: the pair multipliers of each input against the output. */
static dlrt_status check_pair(uint32_t n, const dk_node *node, const char *what, double a, double b) {
    dk_q8_rq2 rq;
    if (dk_q8_rq2_from_real(a, b, &rq) != 0)
        return FAIL(DLRT_ERR_FORMAT, n, node, "multiplier %s = %g reaches 2^21", what, a > b ? a : b);
    return DLRT_OK;
}

static dlrt_status same_quantization(uint32_t n, const dk_node *node, const dk_tensor *x, const dk_tensor *y) {
    if (x->scales[0] != y->scales[0] || x->zero_points[0] != y->zero_points[0])
        return FAIL(DLRT_ERR_FORMAT, n, node, "output '%s' must have its input's scale and zero point (%g, %d), has (%g, %d)", y->name,
                    (double)x->scales[0], x->zero_points[0], (double)y->scales[0], y->zero_points[0]);
    return DLRT_OK;
}

/* Pooling: the largest multiplier (divisor 1) must exist and the window sum must fit. */
static dlrt_status plan_average(const dlrt_model *m, uint32_t n, const dk_node *node, const dk_q8_node *q) {
    dk_q8_rq rq;
    const double ratio = (double)q->x.scale / (double)q->y_scale;
    if (dk_q8_rq_from_real(ratio, &rq) != 0)
        return FAIL(DLRT_ERR_FORMAT, n, node, "multiplier s_x / s_y = %g is not below 2^30", ratio);
    const dk_tensor *x = &m->tensors[node->inputs[0]];
    const int64_t taps = node->op == DK_OP_GLOBAL_AVG_POOL ? x->dims[2] * x->dims[3] : node->attrs.kernel[0] * node->attrs.kernel[1];
    if (taps >= ((int64_t)1 << 23))
        return FAIL(DLRT_ERR_UNSUPPORTED, n, node, "a window of %lld values is too large for int8 (at most 2^23 - 1)", (long long)taps);
    return DLRT_OK;
}

static dlrt_status plan_node(const dlrt_model *m, uint32_t n, const dk_node *node, dk_q8_node *q) {
    const dk_tensor *x = &m->tensors[node->inputs[0]], *y = &m->tensors[node->outputs[0]];
    if (node->op != DK_OP_QUANTIZE) q->x = param_of(x);
    if (node->op != DK_OP_DEQUANTIZE) {
        q->y_scale = y->scales[0];
        q->out = activation_out(node->op == DK_OP_RELU ? 1 : node->attrs.activation, param_of(y));
    }
    switch (node->op) {
    case DK_OP_CONV2D:
    case DK_OP_CONV_TRANSPOSE2D:
    case DK_OP_DENSE:
        return plan_weighted(m, n, node, q);
    case DK_OP_AVG_POOL2D:
    case DK_OP_GLOBAL_AVG_POOL:
        return plan_average(m, n, node, q);
    case DK_OP_PAD: { /* the constant, quantized as quantize does; one that would saturate is refused */
        const double level = (double)nearbyintf(node->attrs.value / q->y_scale) + (double)q->out.zero;
        if (!(level >= -128.0 && level <= 127.0))
            return FAIL(DLRT_ERR_UNSUPPORTED, n, node, "the constant %g is outside the output's int8 range [%g, %g]",
                        (double)node->attrs.value, (double)q->y_scale * (-128 - q->out.zero), (double)q->y_scale * (127 - q->out.zero));
        dk_q8_quantize_forward(NULL, &node->attrs.value, q->y_scale, &q->out, &q->pad_value, 1);
        return same_quantization(n, node, x, y);
    }
    case DK_OP_MAX_POOL2D:
    case DK_OP_RESHAPE:
    case DK_OP_FLATTEN:
        return same_quantization(n, node, x, y);
    case DK_OP_ADD:
        q->b = param_of(&m->tensors[node->inputs[1]]);
        return check_pair(n, node, "s_a / s_y or s_b / s_y", (double)q->x.scale / q->y_scale, (double)q->b.scale / q->y_scale);
    case DK_OP_RELU:
        return check_pair(n, node, "s_x / s_y", (double)q->x.scale / q->y_scale, 0.0);
    case DK_OP_CONCAT:
        for (uint32_t k = 0; k < node->input_count; k++) {
            q->inputs[k] = param_of(&m->tensors[node->inputs[k]]);
            dlrt_status st = check_pair(n, node, "s_i / s_y of an input", (double)q->inputs[k].scale / q->y_scale, 0.0);
            if (st != DLRT_OK) return st;
        }
        return DLRT_OK;
    default: /* quantize, dequantize: the scales are the whole story */
        return DLRT_OK;
    }
}

/* One allocation per node: the struct, then its per-channel and per-input arrays. */
static dk_q8_node *new_q8_node(size_t channels, size_t inputs) {
    const size_t head = (sizeof(dk_q8_node) + 7) & ~(size_t)7;
    dk_q8_node *q = calloc(1, head + 2 * channels * sizeof(int32_t) + inputs * sizeof(dk_q8_param));
    if (q == NULL) return NULL;
    q->multiplier = (int32_t *)((uint8_t *)q + head);
    q->shift = q->multiplier + channels;
    q->inputs = (dk_q8_param *)(q->shift + channels);
    return q;
}

dlrt_status dk_plan_int8(dlrt_model *m) {
    for (uint32_t n = 0; n < m->node_count; n++) {
        dk_node *node = &m->nodes[n];
        if (!dk_node_is_int8(m, node)) continue;
        const int weighted = node->op == DK_OP_CONV2D || node->op == DK_OP_CONV_TRANSPOSE2D || node->op == DK_OP_DENSE;
        const size_t channels = weighted ? (size_t)output_channels(&m->tensors[node->inputs[1]], node->op) : 0;
        node->q8 = new_q8_node(channels, node->input_count);
        if (node->q8 == NULL) return FAIL(DLRT_ERR_OUT_OF_MEMORY, n, node, "out of memory");
        dlrt_status st = plan_node(m, n, node, node->q8);
        if (st != DLRT_OK) return st;
    }
    return DLRT_OK;
}

dk_q8_quant dk_q8_node_quant(const dk_q8_node *q) {
    dk_q8_quant quant = {q->x.zero, q->bias, q->multiplier, q->shift, q->out};
    return quant;
}
