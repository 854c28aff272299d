/* Node attributes: decoded into dk_attrs with each op's defaults, every value range-checked. */
#include <math.h>
#include <string.h>

#include "../runtime/status.h"
#include "graph_check.h"

enum { T_I64 = 1, T_F32 = 2 };

typedef struct attr_rule {
    const char *name;
    uint16_t type;
    uint8_t min_count, max_count;
} attr_rule;

static const attr_rule rules[DK_ATTR_COUNT] = {
    [DK_ATTR_STRIDES] = {"strides", T_I64, 2, 2},
    [DK_ATTR_PADS] = {"pads", T_I64, 4, 8},
    [DK_ATTR_DILATIONS] = {"dilations", T_I64, 2, 2},
    [DK_ATTR_GROUPS] = {"groups", T_I64, 1, 1},
    [DK_ATTR_ACTIVATION] = {"activation", T_I64, 1, 1},
    [DK_ATTR_ALPHA] = {"alpha", T_F32, 1, 1},
    [DK_ATTR_BETA] = {"beta", T_F32, 1, 1},
    [DK_ATTR_LRN_K] = {"lrn_k", T_F32, 1, 1},
    [DK_ATTR_SIZE] = {"size", T_I64, 1, 1},
    [DK_ATTR_KERNEL] = {"kernel", T_I64, 2, 2},
    [DK_ATTR_CEIL_MODE] = {"ceil_mode", T_I64, 1, 1},
    [DK_ATTR_COUNT_INCLUDE_PAD] = {"count_include_pad", T_I64, 1, 1},
    [DK_ATTR_AXIS] = {"axis", T_I64, 1, 1},
    [DK_ATTR_EPSILON] = {"epsilon", T_F32, 1, 1},
    [DK_ATTR_SHAPE] = {"shape", T_I64, 1, DLRT_MAX_RANK},
    [DK_ATTR_OUTPUT_PADDING] = {"output_padding", T_I64, 2, 2},
    [DK_ATTR_VALUE] = {"value", T_F32, 1, 1},
};

/* Spatial sizes beyond this are refused: no real network gets near it, and it
 * keeps every later product of attributes and dims far from overflow. */
#define SPATIAL_CAP (1 << 20)

static void set_defaults(dk_op op, dk_attrs *a) {
    memset(a, 0, sizeof *a);
    a->strides[0] = a->strides[1] = 1;
    a->dilations[0] = a->dilations[1] = 1;
    a->groups = 1;
    a->count_include_pad = 1;
    a->alpha = op == DK_OP_LRN ? 1e-4f : 0.01f;
    a->beta = 0.75f;
    a->lrn_k = 1.0f;
    a->epsilon = 1e-5f;
    a->axis = op == DK_OP_SOFTMAX ? -1 : 1;
}

static int in_range(const int64_t *v, uint32_t n, int64_t lo, int64_t hi) {
    for (uint32_t i = 0; i < n; i++)
        if (v[i] < lo || v[i] > hi) return 0;
    return 1;
}

/* Checks one decoded attribute's values; returns its complaint or NULL. */
static const char *check_value(dk_op op, dk_attr_key key, const dk_attrs *a, uint32_t count) {
    switch (key) {
    case DK_ATTR_STRIDES: return in_range(a->strides, 2, 1, SPATIAL_CAP) ? NULL : "must be in 1..2^20";
    case DK_ATTR_DILATIONS: return in_range(a->dilations, 2, 1, SPATIAL_CAP) ? NULL : "must be in 1..2^20";
    case DK_ATTR_KERNEL: return in_range(a->kernel, 2, 1, SPATIAL_CAP) ? NULL : "must be in 1..2^20";
    case DK_ATTR_OUTPUT_PADDING: return in_range(a->output_padding, 2, 0, SPATIAL_CAP) ? NULL : "must be in 0..2^20";
    case DK_ATTR_PADS:
        if (count != (op == DK_OP_PAD ? 8u : 4u)) return op == DK_OP_PAD ? "needs 8 values" : "needs 4 values";
        return in_range(a->pads, count, 0, SPATIAL_CAP) ? NULL : "must be in 0..2^20";
    case DK_ATTR_GROUPS: return in_range(&a->groups, 1, 1, 1 << 24) ? NULL : "must be in 1..2^24";
    case DK_ATTR_ACTIVATION: return in_range(&a->activation, 1, 0, 5) ? NULL : "must be 0..5";
    case DK_ATTR_SIZE: return in_range(&a->size, 1, 1, 1 << 16) ? NULL : "must be in 1..65536";
    case DK_ATTR_CEIL_MODE: return in_range(&a->ceil_mode, 1, 0, 1) ? NULL : "must be 0 or 1";
    case DK_ATTR_COUNT_INCLUDE_PAD: return in_range(&a->count_include_pad, 1, 0, 1) ? NULL : "must be 0 or 1";
    case DK_ATTR_AXIS: return in_range(&a->axis, 1, -DLRT_MAX_RANK, DLRT_MAX_RANK) ? NULL : "is out of range";
    case DK_ATTR_SHAPE: return in_range(a->shape, count, -1, 0x7FFFFFFF) ? NULL : "entries must be -1, 0 or a dimension";
    case DK_ATTR_ALPHA: return isfinite(a->alpha) ? NULL : "must be finite";
    case DK_ATTR_BETA: return isfinite(a->beta) ? NULL : "must be finite";
    case DK_ATTR_LRN_K: return isfinite(a->lrn_k) ? NULL : "must be finite";
    case DK_ATTR_VALUE: return isfinite(a->value) ? NULL : "must be finite";
    case DK_ATTR_EPSILON: return isfinite(a->epsilon) && a->epsilon >= 0 ? NULL : "must be finite and >= 0";
    default: return "is unknown";
    }
}

static int64_t *i64_slot(dk_attrs *a, dk_attr_key key) {
    switch (key) {
    case DK_ATTR_STRIDES: return a->strides;
    case DK_ATTR_PADS: return a->pads;
    case DK_ATTR_DILATIONS: return a->dilations;
    case DK_ATTR_GROUPS: return &a->groups;
    case DK_ATTR_ACTIVATION: return &a->activation;
    case DK_ATTR_SIZE: return &a->size;
    case DK_ATTR_KERNEL: return a->kernel;
    case DK_ATTR_CEIL_MODE: return &a->ceil_mode;
    case DK_ATTR_COUNT_INCLUDE_PAD: return &a->count_include_pad;
    case DK_ATTR_AXIS: return &a->axis;
    case DK_ATTR_SHAPE: return a->shape;
    case DK_ATTR_OUTPUT_PADDING: return a->output_padding;
    default: return NULL;
    }
}

static float *f32_slot(dk_attrs *a, dk_attr_key key) {
    switch (key) {
    case DK_ATTR_ALPHA: return &a->alpha;
    case DK_ATTR_BETA: return &a->beta;
    case DK_ATTR_LRN_K: return &a->lrn_k;
    case DK_ATTR_EPSILON: return &a->epsilon;
    case DK_ATTR_VALUE: return &a->value;
    default: return NULL;
    }
}

dlrt_status dk_decode_attrs(dk_cursor *c, uint32_t index, dk_node *node, uint32_t count) {
    const dk_op_info *info = dk_op_lookup(node->op);
    dk_attrs *a = &node->attrs;
    set_defaults(node->op, a);
    for (uint32_t i = 0; i < count; i++) {
        uint16_t key = dk_read_u16(c), type = dk_read_u16(c);
        uint32_t n = dk_read_u32(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute %u truncated", index, info->name, i);
        if (key >= DK_ATTR_COUNT || key == 0 || !(info->attrs & (1u << key)))
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute key %u (%s) is not accepted by this op", index, info->name,
                           key, key < DK_ATTR_COUNT && key ? rules[key].name : "unknown");
        const attr_rule *r = &rules[key];
        if (a->present & (1u << key)) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute %s given twice", index, info->name, r->name);
        if (type != r->type || n < r->min_count || n > r->max_count)
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute %s has type %u with %u values, expected type %u with %u..%u",
                           index, info->name, r->name, type, n, r->type, r->min_count, r->max_count);
        for (uint32_t v = 0; v < n; v++) {
            if (type == T_I64) i64_slot(a, (dk_attr_key)key)[v] = dk_read_i64(c);
            else f32_slot(a, (dk_attr_key)key)[v] = dk_read_f32(c);
        }
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute %s truncated", index, info->name, r->name);
        if (key == DK_ATTR_PADS) a->pads_count = n;
        if (key == DK_ATTR_SHAPE) a->shape_count = n;
        a->present |= 1u << key;
        const char *why = check_value(node->op, (dk_attr_key)key, a, n);
        if (why) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute %s %s", index, info->name, r->name, why);
    }
    if ((node->op == DK_OP_MAX_POOL2D || node->op == DK_OP_AVG_POOL2D) && !(a->present & (1u << DK_ATTR_KERNEL)))
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): attribute kernel is required", index, info->name);
    if ((node->op == DK_OP_MAX_POOL2D || node->op == DK_OP_AVG_POOL2D) && !(a->present & (1u << DK_ATTR_STRIDES))) {
        a->strides[0] = a->kernel[0];
        a->strides[1] = a->kernel[1];
    }
    if (node->op == DK_OP_LRN && !(a->present & (1u << DK_ATTR_SIZE)))
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (lrn): attribute size is required", index);
    if (node->op == DK_OP_RESHAPE && !(a->present & (1u << DK_ATTR_SHAPE)))
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (reshape): attribute shape is required", index);
    if (node->op == DK_OP_PAD && !(a->present & (1u << DK_ATTR_PADS)))
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (pad): attribute pads is required", index);
    return DLRT_OK;
}
