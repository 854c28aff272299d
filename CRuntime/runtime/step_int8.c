/*
 * The int8 side of a session's steps: packing the constant weights of
 * conv, conv_transpose2d and dense once at session creation, their scratch,
 * and the kernel call of every int8 node. The kernel parameters (conv and
 * pool geometry, dense and global-pool sizes, concat views) are the f32
 * steps' own, from describe_step; the quantization is node->q8, derived at
 * load.
 */
#include "int8_plan.h"
#include "session.h"

size_t dk_q8_step_packed_bytes(const dk_node *node, const dk_step *s) {
    switch (node->op) {
    case DK_OP_CONV2D: return dk_q8_conv2d_packed_bytes(&s->conv);
    case DK_OP_CONV_TRANSPOSE2D: return dk_q8_conv_transpose2d_packed_bytes(&s->conv);
    case DK_OP_DENSE: return dk_q8_dense_packed_bytes(s->inner, s->axis);
    default: return 0;
    }
}

int dk_q8_step_pack(const dk_node *node, const dk_step *s, void *packed) {
    const dk_q8_quant q = dk_q8_node_quant(node->q8);
    switch (node->op) {
    case DK_OP_CONV2D: return dk_q8_conv2d_pack(&s->conv, s->in[1], &q, packed);
    case DK_OP_CONV_TRANSPOSE2D: return dk_q8_conv_transpose2d_pack(&s->conv, s->in[1], &q, packed);
    case DK_OP_DENSE: return dk_q8_dense_pack(s->inner, s->axis, s->in[1], &q, packed);
    default: return -1;
    }
}

size_t dk_q8_step_workspace_bytes(const dk_node *node, const dk_step *s, int threads) {
    switch (node->op) {
    case DK_OP_CONV2D: return dk_q8_conv2d_workspace_bytes(&s->conv, threads);
    case DK_OP_CONV_TRANSPOSE2D: return dk_q8_conv_transpose2d_workspace_bytes(&s->conv, threads);
    case DK_OP_DENSE: return dk_q8_dense_workspace_bytes(s->outer, s->inner, s->axis, threads);
    default: return 0;
    }
}

int dk_q8_step_run(dk_pool *pool, const dk_node *node, const dk_step *s, void *workspace) {
    const dk_q8_node *q = node->q8;
    switch (node->op) {
    case DK_OP_CONV2D:
        return dk_q8_conv2d_forward(pool, &s->conv, s->in[0], s->packed, s->out, workspace);
    case DK_OP_CONV_TRANSPOSE2D:
        return dk_q8_conv_transpose2d_forward(pool, &s->conv, s->in[0], s->packed, s->out, workspace);
    case DK_OP_DENSE:
        return dk_q8_dense_forward(pool, s->outer, s->in[0], s->packed, s->out, workspace);
    case DK_OP_MAX_POOL2D:
        dk_q8_max_pool2d_forward(pool, &s->pool, s->in[0], &q->out, s->out);
        return 0;
    case DK_OP_AVG_POOL2D:
        return dk_q8_avg_pool2d_forward(pool, &s->pool, s->in[0], q->x.zero, q->x.scale, q->y_scale, &q->out, s->out);
    case DK_OP_GLOBAL_AVG_POOL:
        return dk_q8_global_avg_pool_forward(pool, s->outer, s->axis, s->inner, s->in[0], q->x.zero, q->x.scale, q->y_scale,
                                             &q->out, s->out);
    case DK_OP_ADD:
        return dk_q8_add_forward(pool, s->in[0], q->x, s->in[1], q->b, s->out, q->y_scale, &q->out, s->count);
    case DK_OP_RELU:
        return dk_q8_requantize_forward(pool, s->in[0], q->x, s->out, q->y_scale, &q->out, s->count);
    case DK_OP_CONCAT:
        return dk_q8_concat_forward(pool, node->input_count, s->q8_inputs, q->inputs, s->axis_sizes, s->outer, s->inner, s->out,
                                    q->y_scale, &q->out);
    case DK_OP_QUANTIZE:
        dk_q8_quantize_forward(pool, s->in[0], q->y_scale, &q->out, s->out, s->count);
        return 0;
    case DK_OP_DEQUANTIZE:
        dk_q8_dequantize_forward(pool, s->in[0], q->x, s->out, s->count);
        return 0;
    case DK_OP_PAD:
        dk_q8_pad_forward(pool, s->dims, s->pads, q->pad_value, s->in[0], s->out);
        return 0;
    case DK_OP_RESHAPE:
    case DK_OP_FLATTEN:
        return 0; /* views: the output shares its input's memory */
    default:
        return -1;
    }
}
