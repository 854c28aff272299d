#include "graph_check.h"

#define A(k) (1u << DK_ATTR_##k)
#define CONV_ATTRS (A(STRIDES) | A(PADS) | A(DILATIONS) | A(GROUPS) | A(ACTIVATION) | A(ALPHA))
#define POOL_ATTRS (A(KERNEL) | A(STRIDES) | A(PADS) | A(CEIL_MODE))
#define ALL_FROM_1 0xFFFFFFFEu
/* Recurrent nodes: X, W_ih, W_hh, then the optional b_ih, b_hh; every weight constant. */
#define RECURRENT(name) {name, 3, 5, (1u << 3) | (1u << 4), ALL_FROM_1, 0}

static const dk_op_info ops[DK_OP_COUNT] = {
    [DK_OP_CONV2D] = {"conv2d", 2, 3, 1u << 2, ALL_FROM_1, CONV_ATTRS},
    [DK_OP_CONV_TRANSPOSE2D] = {"conv_transpose2d", 2, 3, 1u << 2, ALL_FROM_1, CONV_ATTRS | A(OUTPUT_PADDING)},
    [DK_OP_DENSE] = {"dense", 2, 3, 1u << 2, ALL_FROM_1, A(ACTIVATION) | A(ALPHA)},
    [DK_OP_MAX_POOL2D] = {"max_pool2d", 1, 1, 0, 0, POOL_ATTRS},
    [DK_OP_AVG_POOL2D] = {"avg_pool2d", 1, 1, 0, 0, POOL_ATTRS | A(COUNT_INCLUDE_PAD)},
    [DK_OP_GLOBAL_AVG_POOL] = {"global_avg_pool", 1, 1, 0, 0, 0},
    [DK_OP_RELU] = {"relu", 1, 1, 0, 0, 0},
    [DK_OP_LEAKY_RELU] = {"leaky_relu", 1, 1, 0, 0, A(ALPHA)},
    [DK_OP_SIGMOID] = {"sigmoid", 1, 1, 0, 0, 0},
    [DK_OP_TANH] = {"tanh", 1, 1, 0, 0, 0},
    [DK_OP_SOFTMAX] = {"softmax", 1, 1, 0, 0, A(AXIS)},
    [DK_OP_BATCH_NORM] = {"batch_norm", 5, 5, 0, ALL_FROM_1, A(EPSILON)},
    [DK_OP_LRN] = {"lrn", 1, 1, 0, 0, A(SIZE) | A(ALPHA) | A(BETA) | A(LRN_K)},
    [DK_OP_ADD] = {"add", 2, 2, 0, 0, A(ACTIVATION) | A(ALPHA)},
    [DK_OP_CONCAT] = {"concat", 1, DK_MAX_NODE_IO, 0, 0, A(AXIS)},
    [DK_OP_RESHAPE] = {"reshape", 1, 1, 0, 0, A(SHAPE)},
    [DK_OP_FLATTEN] = {"flatten", 1, 1, 0, 0, A(AXIS)},
    [DK_OP_PAD] = {"pad", 1, 1, 0, 0, A(PADS) | A(VALUE)},
    [DK_OP_QUANTIZE] = {"quantize", 1, 1, 0, 0, 0},
    [DK_OP_DEQUANTIZE] = {"dequantize", 1, 1, 0, 0, 0},
    [DK_OP_EMBEDDING] = {"embedding", 2, 2, 0, 1u << 1, 0},
    [DK_OP_RNN] = RECURRENT("rnn"),
    [DK_OP_LSTM] = RECURRENT("lstm"),
    [DK_OP_GRU] = RECURRENT("gru"),
};

const dk_op_info *dk_op_lookup(dk_op op) {
    if ((unsigned)op < 1 || (unsigned)op >= DK_OP_COUNT) return NULL;
    return &ops[op];
}

const char *dk_op_name(dk_op op) {
    const dk_op_info *info = dk_op_lookup(op);
    return info ? info->name : "unknown";
}

int dk_op_is_recurrent(dk_op op) { return op == DK_OP_RNN || op == DK_OP_LSTM || op == DK_OP_GRU; }
