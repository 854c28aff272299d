/*
 * Which kernels a node runs, decided by dtype as in TFLite: the op code is
 * the same for f32 and int8, and a node whose data input (input 0) is i8
 * runs the int8 kernel (docs/FORMAT.md, "int8 in the graph"). This file
 * checks that a node's tensors have the dtypes and quantization kinds that
 * family takes; the numbers (scales, weight range, bias, multipliers) are
 * int8_plan.c's.
 */
#include <stdio.h>

#include "../runtime/status.h"
#include "graph_check.h"

static int is_q8_activation(const dk_tensor *t) { return t->dtype == DLRT_I8 && t->quantization == DLRT_QUANT_PER_TENSOR; }
static int is_plain_f32(const dk_tensor *t) { return t->dtype == DLRT_F32 && t->quantization == DLRT_QUANT_NONE; }

/* Per-channel on `axis` with every zero point 0: int8 weights and int32 biases. */
static int is_symmetric_per_channel(const dk_tensor *t, dlrt_dtype dtype, int32_t axis) {
    if (t->dtype != dtype || t->quantization != DLRT_QUANT_PER_CHANNEL || t->quant_axis != axis) return 0;
    for (uint32_t c = 0; c < t->quant_count; c++)
        if (t->zero_points[c] != 0) return 0;
    return 1;
}

/* The ops with int8 kernels. Every other op with an i8 input is refused. */
static int has_int8_kernel(dk_op op) {
    switch (op) {
    case DK_OP_CONV2D:
    case DK_OP_CONV_TRANSPOSE2D:
    case DK_OP_DENSE:
    case DK_OP_MAX_POOL2D:
    case DK_OP_AVG_POOL2D:
    case DK_OP_GLOBAL_AVG_POOL:
    case DK_OP_ADD:
    case DK_OP_CONCAT:
    case DK_OP_RELU:
    case DK_OP_PAD:
    case DK_OP_FLATTEN:
    case DK_OP_RESHAPE:
    case DK_OP_DEQUANTIZE:
        return 1;
    default:
        return 0;
    }
}

static const char *activation_name(int64_t a) {
    static const char *names[] = {"none", "relu", "leaky relu", "sigmoid", "tanh", "relu6"};
    return a >= 0 && a <= 5 ? names[a] : "unknown";
}

/*
 * Weight-only int8 of rnn, lstm and gru: W_ih (input 1) or W_hh (input 2)
 * stored as i8 with one scale per row or per tensor, zero points 0. Load
 * dequantizes them to f32 (runtime/recurrent_weights.c), which checks the values.
 */
static dlrt_status check_recurrent_weight(const dlrt_model *m, uint32_t n, uint32_t k) {
    const dk_node *node = &m->nodes[n];
    const char *op = dk_op_name(node->op), *role = k == 1 ? "W_ih" : "W_hh";
    const dk_tensor *w = &m->tensors[node->inputs[k]];
    if (w->dtype != DLRT_I8)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): %s '%s' is %s; recurrent weights are f32 or i8 (weight-only int8)", n, op,
                       role, w->name, dk_dtype_name(w->dtype));
    int per_row = w->quantization == DLRT_QUANT_PER_CHANNEL && w->quant_axis == 0;
    if (!per_row && w->quantization != DLRT_QUANT_PER_TENSOR) {
        char has[64] = "no quantization";
        if (w->quantization == DLRT_QUANT_PER_CHANNEL) snprintf(has, sizeof has, "%u scales on axis %d", w->quant_count, (int)w->quant_axis);
        return dk_fail(DLRT_ERR_FORMAT,
                       "GRAPH: node %u (%s): int8 %s '%s' must have one scale per row (per-channel on axis 0, %lld scales) or one per tensor; has %s",
                       n, op, role, w->name, (long long)w->dims[0], has);
    }
    for (uint32_t c = 0; c < w->quant_count; c++)
        if (w->zero_points[c] != 0)
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): int8 %s '%s' has zero point %d at %u; int8 weights have zero points 0", n, op,
                           role, w->name, (int)w->zero_points[c], c);
    return DLRT_OK;
}

static dlrt_status check_f32_node(const dlrt_model *m, uint32_t n) {
    const dk_node *node = &m->nodes[n];
    const char *op = dk_op_name(node->op);
    for (uint32_t k = 0; k < node->input_count; k++) {
        if (node->inputs[k] == DK_NO_TENSOR) continue;
        const dk_tensor *t = &m->tensors[node->inputs[k]];
        if (dk_op_is_recurrent(node->op) && (k == 1 || k == 2) && t->dtype != DLRT_F32) {
            dlrt_status st = check_recurrent_weight(m, n, k);
            if (st != DLRT_OK) return st;
            continue;
        }
        if (t->dtype != DLRT_F32)
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): input %u ('%s') is %s but input 0 is f32: mixed dtypes in one node are not supported",
                           n, op, k, t->name, dk_dtype_name(t->dtype));
    }
    const dk_tensor *y = &m->tensors[node->outputs[0]];
    if (!is_plain_f32(y))
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): output '%s' must be plain f32 like its input (f32 nodes give f32)",
                       n, op, y->name);
    return DLRT_OK;
}

/*
 * Conv, conv_transpose2d and dense: i8 weights per output channel (axis 0,
 * conv_transpose2d's [C, M, kh, kw] axis 1) with zero points 0, optional i32
 * bias per channel on axis 0 likewise.
 */
static dlrt_status check_q8_weights(const dlrt_model *m, uint32_t n) {
    const dk_node *node = &m->nodes[n];
    const char *op = dk_op_name(node->op);
    const dk_tensor *w = &m->tensors[node->inputs[1]];
    const int32_t axis = node->op == DK_OP_CONV_TRANSPOSE2D ? 1 : 0;
    if (w->dtype != DLRT_I8)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): weight '%s' is %s but input 0 is i8: mixed dtypes in one node are not supported",
                       n, op, w->name, dk_dtype_name(w->dtype));
    if (!is_symmetric_per_channel(w, DLRT_I8, axis))
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): int8 weight '%s' must be quantized per channel on axis %d with zero points 0",
                       n, op, w->name, (int)axis);
    if (node->input_count > 2 && node->inputs[2] != DK_NO_TENSOR) {
        const dk_tensor *b = &m->tensors[node->inputs[2]];
        if (b->dtype != DLRT_I32)
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): bias '%s' is %s but input 0 is i8: an int8 node's bias is i32",
                           n, op, b->name, dk_dtype_name(b->dtype));
        if (!is_symmetric_per_channel(b, DLRT_I32, 0))
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): int32 bias '%s' must be quantized per channel on axis 0 with zero points 0",
                           n, op, b->name);
    }
    return DLRT_OK;
}

static dlrt_status check_q8_node(const dlrt_model *m, uint32_t n) {
    const dk_node *node = &m->nodes[n];
    const char *op = dk_op_name(node->op);
    if (!has_int8_kernel(node->op))
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): int8 input is not supported; the exporter must keep it in f32", n, op);
    if (node->op == DK_OP_CONV_TRANSPOSE2D && (node->attrs.groups != 1 || node->attrs.dilations[0] != 1 || node->attrs.dilations[1] != 1))
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (conv_transpose2d): int8 takes groups 1 and dilations 1 only (has groups %lld, dilations %lld x %lld); the exporter must keep it in f32",
                       n, (long long)node->attrs.groups, (long long)node->attrs.dilations[0], (long long)node->attrs.dilations[1]);
    int weighted = node->op == DK_OP_CONV2D || node->op == DK_OP_CONV_TRANSPOSE2D || node->op == DK_OP_DENSE;
    for (uint32_t k = 0; k < node->input_count; k++) {
        if (node->inputs[k] == DK_NO_TENSOR || (weighted && k > 0)) continue;
        const dk_tensor *t = &m->tensors[node->inputs[k]];
        if (t->dtype != DLRT_I8)
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): input %u ('%s') is %s but input 0 is i8: mixed dtypes in one node are not supported",
                           n, op, k, t->name, dk_dtype_name(t->dtype));
        if (!is_q8_activation(t))
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): int8 input '%s' must be quantized per tensor", n, op, t->name);
    }
    dlrt_status st;
    if (weighted && (st = check_q8_weights(m, n)) != DLRT_OK) return st;
    int64_t act = node->attrs.activation;
    if (act != 0 && act != 1 && act != 5)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): fused activation %lld (%s) is not supported for int8 (only none, relu, relu6)",
                       n, op, (long long)act, activation_name(act));
    const dk_tensor *y = &m->tensors[node->outputs[0]];
    if (node->op == DK_OP_DEQUANTIZE ? !is_plain_f32(y) : !is_q8_activation(y))
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): output '%s' must be %s", n, op, y->name,
                       node->op == DK_OP_DEQUANTIZE ? "plain f32" : "i8 quantized per tensor (int8 nodes give int8)");
    return DLRT_OK;
}

dlrt_status dk_check_node_dtypes(const dlrt_model *m, uint32_t n) {
    const dk_node *node = &m->nodes[n];
    const dk_tensor *x = &m->tensors[node->inputs[0]];
    const char *op = dk_op_name(node->op);
    if (node->op == DK_OP_QUANTIZE) {
        const dk_tensor *y = &m->tensors[node->outputs[0]];
        if (x->dtype != DLRT_F32)
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (quantize): input '%s' is %s; quantize takes f32", n, x->name,
                           dk_dtype_name(x->dtype));
        if (!is_q8_activation(y))
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (quantize): output '%s' must be i8 quantized per tensor", n, y->name);
        return DLRT_OK;
    }
    if (x->dtype == DLRT_I8) return check_q8_node(m, n);
    if (node->op == DK_OP_DEQUANTIZE)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (dequantize): input '%s' is %s; dequantize takes i8", n, x->name,
                       dk_dtype_name(x->dtype));
    if (x->dtype != DLRT_F32)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): input '%s' is %s; node inputs are f32 or i8", n, op, x->name,
                       dk_dtype_name(x->dtype));
    return check_f32_node(m, n);
}

int dk_node_is_int8(const dlrt_model *m, const dk_node *node) {
    return node->op == DK_OP_QUANTIZE || m->tensors[node->inputs[0]].dtype == DLRT_I8;
}
