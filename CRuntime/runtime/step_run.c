/* The op dispatch: one kernel call per node, over pointers bound at session creation. */
#include "../base/cpu.h"
#include "session.h"

/* The step's packed weights, if they were packed for the ISA active now. */
static const float *packed_for_now(const dk_step *s) {
    return s->packed != NULL && s->packed_isa == (int)dk_isa_active() ? s->packed : NULL;
}

int dk_step_run(dk_pool *pool, const dk_node *node, const dk_step *s, void *workspace) {
    if (node->q8 != NULL) return dk_q8_step_run(pool, node, s, workspace);
    const dk_attrs *a = &node->attrs;
    switch (node->op) {
    case DK_OP_CONV2D:
        dk_conv2d_forward_packed(pool, &s->conv, s->in[0], s->in[1], packed_for_now(s), s->in[2], s->out, workspace);
        break;
    case DK_OP_CONV_TRANSPOSE2D:
        dk_conv_transpose2d_forward_packed(pool, &s->conv, s->in[0], s->in[1], packed_for_now(s), s->in[2], s->out,
                                           workspace);
        break;
    case DK_OP_DENSE:
        dk_dense_forward(pool, s->outer, s->inner, s->axis, s->in[0], s->in[1], s->in[2], (dk_activation)a->activation,
                         a->alpha, s->out, workspace);
        break;
    case DK_OP_MAX_POOL2D:
        dk_max_pool2d_forward(pool, &s->pool, s->in[0], s->out);
        break;
    case DK_OP_AVG_POOL2D:
        dk_avg_pool2d_forward(pool, &s->pool, s->in[0], s->out);
        break;
    case DK_OP_GLOBAL_AVG_POOL:
        dk_global_avg_pool_forward(pool, s->outer, s->axis, s->inner, s->in[0], s->out);
        break;
    case DK_OP_RELU:
        dk_activation_forward(pool, DK_ACT_RELU, 0.0f, s->in[0], s->out, s->count);
        break;
    case DK_OP_LEAKY_RELU:
        dk_activation_forward(pool, DK_ACT_LEAKY_RELU, a->alpha, s->in[0], s->out, s->count);
        break;
    case DK_OP_SIGMOID:
        dk_activation_forward(pool, DK_ACT_SIGMOID, 0.0f, s->in[0], s->out, s->count);
        break;
    case DK_OP_TANH:
        dk_activation_forward(pool, DK_ACT_TANH, 0.0f, s->in[0], s->out, s->count);
        break;
    case DK_OP_SOFTMAX:
        dk_softmax_forward(pool, s->outer, s->axis, s->inner, s->in[0], s->out);
        break;
    case DK_OP_BATCH_NORM:
        dk_channel_affine_forward(pool, s->outer, s->axis, s->inner, node->folded, node->folded + s->axis, s->in[0], s->out);
        break;
    case DK_OP_LRN:
        dk_lrn_forward(pool, s->outer, s->axis, s->inner, (size_t)a->size, a->alpha, a->beta, a->lrn_k, s->in[0], s->out);
        break;
    case DK_OP_ADD:
        dk_add_forward(pool, s->in[0], s->in[1], s->out, s->count, (dk_activation)a->activation, a->alpha);
        break;
    case DK_OP_CONCAT:
        dk_concat_forward(pool, node->input_count, s->inputs, s->axis_sizes, s->outer, s->inner, s->out);
        break;
    case DK_OP_PAD:
        dk_pad_forward(pool, s->dims, s->pads, a->value, s->in[0], s->out);
        break;
    case DK_OP_EMBEDDING:
        if (dk_embedding_forward(s->outer, s->axis, s->inner, s->in[0], s->in[1], s->out) != 0) return 1;
        break;
    case DK_OP_RNN:
    case DK_OP_LSTM:
    case DK_OP_GRU:
        dk_recurrent_forward(pool, &s->rnn, s->in[0], s->in[1], s->in[2], s->in[3], s->in[4],
                             s->state_in[0], s->state_in[1], s->out, s->state_out[0], s->state_out[1], workspace);
        break;
    case DK_OP_RESHAPE:
    case DK_OP_FLATTEN:
        break; /* views: the output shares its input's memory */
    case DK_OP_QUANTIZE:
    case DK_OP_DEQUANTIZE:
    case DK_OP_COUNT:
        return -1; /* int8 boundaries always have node->q8 */
    }
    return 0;
}
