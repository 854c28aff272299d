/*
 * The in-memory form of a validated .dlrt file (docs/FORMAT.md). Everything
 * here is checked by the loader before any session sees it; a model is
 * immutable once loaded. Constant data points into the file image (mmap or
 * caller memory), never copied.
 */
#ifndef DK_MODEL_H
#define DK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/dlrt.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

enum { DK_SECTION_META = 1, DK_SECTION_TENSORS = 2, DK_SECTION_GRAPH = 3, DK_SECTION_DATA = 4, DK_SECTION_SELFTEST = 5 };

enum {
    DK_MAX_SECTIONS = 16,
    DK_MAX_META = 4096,
    DK_MAX_META_STRING = 1u << 20,
    DK_MAX_META_ARRAY = 1u << 20,
    DK_MAX_NAME = 256,
    DK_MAX_TENSORS = 1u << 20,
    DK_MAX_NODES = 1u << 20,
    DK_MAX_NODE_IO = 64,
    DK_MAX_ATTRS = 32,
    DK_MAX_ATTR_VALUES = 64,
    DK_MAX_GRAPH_IO = 64
};
#define DK_MAX_TENSOR_BYTES ((uint64_t)1 << 34)
#define DK_NO_TENSOR 0xFFFFFFFFu

typedef enum dk_op {
    DK_OP_CONV2D = 1,
    DK_OP_CONV_TRANSPOSE2D = 2,
    DK_OP_DENSE = 3,
    DK_OP_MAX_POOL2D = 4,
    DK_OP_AVG_POOL2D = 5,
    DK_OP_GLOBAL_AVG_POOL = 6,
    DK_OP_RELU = 7,
    DK_OP_LEAKY_RELU = 8,
    DK_OP_SIGMOID = 9,
    DK_OP_TANH = 10,
    DK_OP_SOFTMAX = 11,
    DK_OP_BATCH_NORM = 12,
    DK_OP_LRN = 13,
    DK_OP_ADD = 14,
    DK_OP_CONCAT = 15,
    DK_OP_RESHAPE = 16,
    DK_OP_FLATTEN = 17,
    DK_OP_PAD = 18,
    DK_OP_QUANTIZE = 19,   /* format 1.1 */
    DK_OP_DEQUANTIZE = 20, /* format 1.1 */
    DK_OP_EMBEDDING = 21,  /* format 1.2 */
    DK_OP_RNN = 22,        /* format 1.2 */
    DK_OP_LSTM = 23,       /* format 1.2 */
    DK_OP_GRU = 24,        /* format 1.2 */
    DK_OP_COUNT
} dk_op;

typedef enum dk_attr_key {
    DK_ATTR_STRIDES = 1,
    DK_ATTR_PADS = 2,
    DK_ATTR_DILATIONS = 3,
    DK_ATTR_GROUPS = 4,
    DK_ATTR_ACTIVATION = 5,
    DK_ATTR_ALPHA = 6,
    DK_ATTR_BETA = 7,
    DK_ATTR_LRN_K = 8,
    DK_ATTR_SIZE = 9,
    DK_ATTR_KERNEL = 10,
    DK_ATTR_CEIL_MODE = 11,
    DK_ATTR_COUNT_INCLUDE_PAD = 12,
    DK_ATTR_AXIS = 13,
    DK_ATTR_EPSILON = 14,
    DK_ATTR_SHAPE = 15,
    DK_ATTR_OUTPUT_PADDING = 16,
    DK_ATTR_VALUE = 17,
    DK_ATTR_COUNT
} dk_attr_key;

/** A node's attributes, decoded with the op's defaults filled in. */
typedef struct dk_attrs {
    uint32_t present; /* bit k set when key k was in the file */
    int64_t strides[2], pads[8], dilations[2], kernel[2], output_padding[2];
    int64_t groups, activation, size, ceil_mode, count_include_pad, axis;
    int64_t shape[DLRT_MAX_RANK];
    uint32_t pads_count, shape_count;
    float alpha, beta, lrn_k, epsilon, value;
} dk_attrs;

typedef struct dk_tensor {
    char *name; /* NUL-terminated copy */
    dlrt_dtype dtype;
    uint32_t rank;
    int64_t dims[DLRT_MAX_RANK]; /* at the file's batch size */
    dlrt_quantization quantization;
    int32_t quant_axis;
    uint32_t quant_count;
    float *scales;
    int32_t *zero_points;
    const void *data; /* constants only: inside the DATA section */
    uint64_t data_size;
    int64_t producer; /* index of the node that writes it, -1 if none */
} dk_tensor;

struct dk_q8_node; /* runtime/int8_plan.h */

typedef struct dk_node {
    dk_op op;
    uint32_t input_count, output_count;
    uint32_t *inputs; /* DK_NO_TENSOR for an absent optional input */
    uint32_t *outputs;
    dk_attrs attrs;
    float *folded; /* batch_norm: per-channel scale then shift, computed at load */
    float *dequantized[2]; /* rnn, lstm, gru: W_ih, W_hh as f32 when stored as i8 (weight-only int8), computed at load; else NULL */
    struct dk_q8_node *q8; /* int8 nodes (and quantize/dequantize): their quantization, derived at load; NULL for f32 nodes */
} dk_node;

typedef struct dk_meta {
    char *key; /* NUL-terminated copy */
    dlrt_meta_type type;
    uint32_t count;           /* 1 for scalars and strings */
    const uint8_t *payload;   /* the value's bytes in the file, after any count */
    const char **strings;     /* string kinds: pointers into the file */
    uint32_t *string_lengths;
} dk_meta;

typedef struct dk_selftest_entry {
    uint32_t tensor;
    uint64_t count;
    const uint8_t *values; /* count little-endian f32 values in the file */
} dk_selftest_entry;

struct dlrt_model {
    const uint8_t *image; /* the whole file */
    size_t image_size;
    void *mapping;        /* munmap on free, when mapped */
    void *owned_copy;     /* free on free, when DLRT_LOAD_COPY */

    uint32_t meta_count;
    dk_meta *meta;
    uint32_t tensor_count;
    dk_tensor *tensors;
    uint32_t input_count, output_count;
    uint32_t inputs[DK_MAX_GRAPH_IO], outputs[DK_MAX_GRAPH_IO];
    uint32_t node_count;
    dk_node *nodes;
    uint32_t *node_ids; /* backing store of every node's inputs and outputs */

    int has_selftest;
    float selftest_rtol, selftest_atol;
    uint32_t selftest_input_count, selftest_output_count;
    dk_selftest_entry selftest_inputs[DK_MAX_GRAPH_IO], selftest_outputs[DK_MAX_GRAPH_IO];
};

/** Parses and validates `image` into `model` (zeroed by the caller). Frees nothing on failure. */
dlrt_status dk_model_parse(dlrt_model *model, const uint8_t *image, size_t size, uint32_t flags);
/** Releases what dk_model_parse allocated (safe on a partly parsed model). */
void dk_model_release(dlrt_model *model);
const char *dk_op_name(dk_op op);
/** rnn, lstm or gru. */
int dk_op_is_recurrent(dk_op op);
size_t dk_dtype_size(dlrt_dtype dtype);
/** "f32", "i8", "u8" or "i32". */
const char *dk_dtype_name(dlrt_dtype dtype);

#pragma GCC visibility pop
#endif
