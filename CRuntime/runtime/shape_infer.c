#include "shape_infer.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "recurrent_weights.h"
#include "status.h"

uint64_t dk_shape_elements(const dk_shape *s) {
    uint64_t n = 1;
    for (uint32_t d = 0; d < s->rank; d++) n *= (uint64_t)s->dims[d];
    return n;
}

static void shape_text(const dk_shape *s, char *buf, size_t size) {
    size_t used = (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < s->rank && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, d ? ",%lld" : "%lld", (long long)s->dims[d]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

void dk_conv_params(const dk_node *node, const dk_shape *x, const dk_shape *w, dk_conv2d_params *p) {
    const dk_attrs *a = &node->attrs;
    memset(p, 0, sizeof *p);
    p->n = (size_t)x->dims[0];
    p->c = (size_t)x->dims[1];
    p->h = (size_t)x->dims[2];
    p->w = (size_t)x->dims[3];
    p->groups = (size_t)a->groups;
    p->m = node->op == DK_OP_CONV2D ? (size_t)w->dims[0] : (size_t)w->dims[1] * p->groups;
    p->kh = (size_t)w->dims[2];
    p->kw = (size_t)w->dims[3];
    p->sh = (size_t)a->strides[0];
    p->sw = (size_t)a->strides[1];
    p->pt = (size_t)a->pads[0];
    p->pl = (size_t)a->pads[1];
    p->pb = (size_t)a->pads[2];
    p->pr = (size_t)a->pads[3];
    p->dh = (size_t)a->dilations[0];
    p->dw = (size_t)a->dilations[1];
    p->oph = (size_t)a->output_padding[0];
    p->opw = (size_t)a->output_padding[1];
    p->activation = (dk_activation)a->activation;
    p->alpha = a->alpha;
}

void dk_pool_params(const dk_node *node, const dk_shape *x, dk_pool2d_params *p) {
    const dk_attrs *a = &node->attrs;
    memset(p, 0, sizeof *p);
    p->n = (size_t)x->dims[0];
    p->c = (size_t)x->dims[1];
    p->h = (size_t)x->dims[2];
    p->w = (size_t)x->dims[3];
    p->kh = (size_t)a->kernel[0];
    p->kw = (size_t)a->kernel[1];
    p->sh = (size_t)a->strides[0];
    p->sw = (size_t)a->strides[1];
    p->pt = (size_t)a->pads[0];
    p->pl = (size_t)a->pads[1];
    p->pb = (size_t)a->pads[2];
    p->pr = (size_t)a->pads[3];
    p->ceil_mode = (int)a->ceil_mode;
    p->count_include_pad = (int)a->count_include_pad;
}

size_t dk_recurrent_gate_count(dk_op op) { return op == DK_OP_LSTM ? 4 : op == DK_OP_GRU ? 3 : 1; }

#define FAIL(...) dk_fail(DLRT_ERR_SHAPE, __VA_ARGS__)

static int64_t normalize_axis(int64_t axis, uint32_t rank) { return axis < 0 ? axis + (int64_t)rank : axis; }

/* Ids are f32, which holds every integer up to 2^24 exactly: no table may have more rows. */
#define EMBEDDING_MAX_ROWS ((int64_t)1 << 24)

static dlrt_status infer_embedding(uint32_t n, const dk_shape *x, const dk_shape *table, dk_shape *y) {
    char text[160];
    if (x->rank < 1 || x->rank > 2) return FAIL("node %u (embedding): ids must be rank 1 [N] or rank 2 [N, T], have rank %u", n, x->rank);
    if (table->rank != 2) {
        shape_text(table, text, sizeof text);
        return FAIL("node %u (embedding): the table must be rank 2 [V, D], is %s", n, text);
    }
    if (table->dims[0] > EMBEDDING_MAX_ROWS)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "node %u (embedding): the table has %lld rows; at most 2^24 (ids are f32 integers)", n,
                       (long long)table->dims[0]);
    *y = *x;
    y->rank = x->rank + 1;
    y->dims[x->rank] = table->dims[1];
    return DLRT_OK;
}

/* rnn, lstm, gru: X [N, T, I], W_ih [G*H, I], W_hh [G*H, H], b_ih and b_hh [G*H] -> [N, T, H]. */
static dlrt_status infer_recurrent(const dlrt_model *m, uint32_t n, const dk_shape *shapes, dk_shape *y) {
    const dk_node *node = &m->nodes[n];
    const char *op = dk_op_name(node->op);
    const dk_shape *x = &shapes[node->inputs[0]], *w_ih = &shapes[node->inputs[1]], *w_hh = &shapes[node->inputs[2]];
    int64_t g = (int64_t)dk_recurrent_gate_count(node->op);
    char text[160];
    if (x->rank != 3) {
        shape_text(x, text, sizeof text);
        return FAIL("node %u (%s): input X must be rank 3 [N, T, I] (batch first), is %s", n, op, text);
    }
    if (w_hh->rank != 2 || w_hh->dims[0] != g * w_hh->dims[1]) {
        shape_text(w_hh, text, sizeof text);
        return FAIL("node %u (%s): W_hh '%s' must be [%lld*H, H], is %s", n, op, m->tensors[node->inputs[2]].name, (long long)g, text);
    }
    int64_t h = w_hh->dims[1];
    if (w_ih->rank != 2 || w_ih->dims[0] != g * h || w_ih->dims[1] != x->dims[2]) {
        shape_text(w_ih, text, sizeof text);
        return FAIL("node %u (%s): W_ih '%s' must be [%lld, %lld] (%lld*H with H = %lld from W_hh, and X's I), is %s", n, op,
                    m->tensors[node->inputs[1]].name, (long long)(g * h), (long long)x->dims[2], (long long)g, (long long)h, text);
    }
    for (uint32_t k = 3; k < node->input_count; k++) {
        if (node->inputs[k] == DK_NO_TENSOR) continue;
        const dk_shape *b = &shapes[node->inputs[k]];
        if (b->rank != 1 || b->dims[0] != g * h) {
            shape_text(b, text, sizeof text);
            return FAIL("node %u (%s): %s '%s' must be [%lld], is %s", n, op, k == 3 ? "b_ih" : "b_hh", m->tensors[node->inputs[k]].name,
                        (long long)(g * h), text);
        }
    }
    *y = *x;
    y->dims[2] = h;
    return DLRT_OK;
}

/* Infers node n's output shape from its inputs' shapes. */
static dlrt_status infer_node(const dlrt_model *m, uint32_t n, dk_shape *shapes) {
    const dk_node *node = &m->nodes[n];
    const dk_attrs *a = &node->attrs;
    const char *op = dk_op_name(node->op);
    const dk_shape *x = &shapes[node->inputs[0]];
    dk_shape *y = &shapes[node->outputs[0]];
    const dk_shape *w = node->input_count > 1 && node->inputs[1] != DK_NO_TENSOR ? &shapes[node->inputs[1]] : NULL;
    const dk_shape *b = node->input_count > 2 && node->inputs[2] != DK_NO_TENSOR ? &shapes[node->inputs[2]] : NULL;
    *y = *x;
    switch (node->op) {
    case DK_OP_CONV2D:
    case DK_OP_CONV_TRANSPOSE2D: {
        if (x->rank != 4 || w->rank != 4) return FAIL("node %u (%s): input and weight must be rank 4", n, op);
        int64_t g = a->groups;
        int transposed = node->op == DK_OP_CONV_TRANSPOSE2D;
        int64_t in_per_group = transposed ? 1 : w->dims[1];
        if (x->dims[1] % g != 0 || (transposed ? w->dims[0] != x->dims[1] : x->dims[1] / g != in_per_group) ||
            (!transposed && w->dims[0] % g != 0))
            return FAIL("node %u (%s): input channels %lld, weight [%lld,%lld,...] and groups %lld do not fit", n, op,
                        (long long)x->dims[1], (long long)w->dims[0], (long long)w->dims[1], (long long)g);
        dk_conv2d_params p;
        dk_conv_params(node, x, w, &p);
        if (b && (b->rank != 1 || b->dims[0] != (int64_t)p.m))
            return FAIL("node %u (%s): bias must have shape [%zu]", n, op, p.m);
        if ((transposed ? dk_conv_transpose2d_infer(&p) : dk_conv2d_infer(&p)) != 0 || p.ho < 1 || p.wo < 1)
            return FAIL("node %u (%s): kernel, stride, padding and dilation give no output for a %lldx%lld input", n, op,
                        (long long)x->dims[2], (long long)x->dims[3]);
        y->dims[1] = (int64_t)p.m;
        y->dims[2] = (int64_t)p.ho;
        y->dims[3] = (int64_t)p.wo;
        return DLRT_OK;
    }
    case DK_OP_DENSE:
        if (x->rank != 2 || w->rank != 2 || w->dims[1] != x->dims[1])
            return FAIL("node %u (dense): input [N,K] and weight [M,K] do not fit", n);
        if (b && (b->rank != 1 || b->dims[0] != w->dims[0])) return FAIL("node %u (dense): bias must have shape [%lld]", n, (long long)w->dims[0]);
        y->dims[1] = w->dims[0];
        return DLRT_OK;
    case DK_OP_MAX_POOL2D:
    case DK_OP_AVG_POOL2D: {
        if (x->rank != 4) return FAIL("node %u (%s): input must be rank 4", n, op);
        if (a->pads[0] * 2 > a->kernel[0] || a->pads[2] * 2 > a->kernel[0] || a->pads[1] * 2 > a->kernel[1] || a->pads[3] * 2 > a->kernel[1])
            return FAIL("node %u (%s): padding must be at most half the kernel", n, op);
        dk_pool2d_params p;
        dk_pool_params(node, x, &p);
        if (dk_pool2d_infer(&p) != 0 || p.ho < 1 || p.wo < 1)
            return FAIL("node %u (%s): the window does not fit a %lldx%lld input", n, op, (long long)x->dims[2], (long long)x->dims[3]);
        y->dims[2] = (int64_t)p.ho;
        y->dims[3] = (int64_t)p.wo;
        return DLRT_OK;
    }
    case DK_OP_GLOBAL_AVG_POOL:
        if (x->rank != 4) return FAIL("node %u (global_avg_pool): input must be rank 4", n);
        y->dims[2] = y->dims[3] = 1;
        return DLRT_OK;
    case DK_OP_SOFTMAX: {
        int64_t axis = normalize_axis(a->axis, x->rank);
        if (axis < 0 || axis >= (int64_t)x->rank) return FAIL("node %u (softmax): axis %lld out of range for rank %u", n, (long long)a->axis, x->rank);
        return DLRT_OK;
    }
    case DK_OP_BATCH_NORM:
        if (x->rank < 2) return FAIL("node %u (batch_norm): input must have a channel axis", n);
        for (uint32_t k = 1; k < 5; k++) {
            const dk_shape *s = &shapes[node->inputs[k]];
            if (s->rank != 1 || s->dims[0] != x->dims[1])
                return FAIL("node %u (batch_norm): parameter %u must have shape [%lld]", n, k, (long long)x->dims[1]);
        }
        return DLRT_OK;
    case DK_OP_LRN:
        if (x->rank != 4) return FAIL("node %u (lrn): input must be rank 4", n);
        return DLRT_OK;
    case DK_OP_ADD: {
        const dk_shape *other = &shapes[node->inputs[1]];
        if (other->rank != x->rank || memcmp(other->dims, x->dims, sizeof(int64_t) * x->rank) != 0)
            return FAIL("node %u (add): operands have different shapes", n);
        return DLRT_OK;
    }
    case DK_OP_CONCAT: {
        int64_t axis = normalize_axis(a->axis, x->rank);
        if (axis < 0 || axis >= (int64_t)x->rank) return FAIL("node %u (concat): axis %lld out of range", n, (long long)a->axis);
        y->dims[axis] = 0;
        for (uint32_t k = 0; k < node->input_count; k++) {
            const dk_shape *s = &shapes[node->inputs[k]];
            if (s->rank != x->rank) return FAIL("node %u (concat): input %u has rank %u, expected %u", n, k, s->rank, x->rank);
            for (uint32_t d = 0; d < x->rank; d++)
                if ((int64_t)d != axis && s->dims[d] != x->dims[d]) return FAIL("node %u (concat): input %u differs off the concat axis", n, k);
            y->dims[axis] += s->dims[axis];
        }
        return DLRT_OK;
    }
    case DK_OP_RESHAPE: {
        y->rank = a->shape_count;
        int64_t known = 1, infer_at = -1;
        for (uint32_t d = 0; d < a->shape_count; d++) {
            int64_t v = a->shape[d];
            if (v == 0) {
                if (d >= x->rank) return FAIL("node %u (reshape): entry %u copies a dimension the input lacks", n, d);
                v = x->dims[d];
            }
            if (v == -1) {
                if (infer_at >= 0) return FAIL("node %u (reshape): more than one -1", n);
                infer_at = d;
                continue;
            }
            y->dims[d] = v;
            if (known > ((int64_t)1 << 40) / v) return FAIL("node %u (reshape): target shape too large", n);
            known *= v;
        }
        int64_t total = (int64_t)dk_shape_elements(x);
        if (infer_at >= 0) {
            if (total % known != 0) return FAIL("node %u (reshape): %lld elements do not divide into the target shape", n, (long long)total);
            y->dims[infer_at] = total / known;
        } else if (known != total) {
            return FAIL("node %u (reshape): %lld elements cannot take a shape of %lld", n, (long long)total, (long long)known);
        }
        return DLRT_OK;
    }
    case DK_OP_FLATTEN: {
        int64_t axis = normalize_axis(a->axis, x->rank);
        if (axis < 0 || axis > (int64_t)x->rank) return FAIL("node %u (flatten): axis %lld out of range", n, (long long)a->axis);
        int64_t outer = 1, inner = 1;
        for (uint32_t d = 0; d < x->rank; d++) *((int64_t)d < axis ? &outer : &inner) *= x->dims[d];
        y->rank = 2;
        y->dims[0] = outer;
        y->dims[1] = inner;
        return DLRT_OK;
    }
    case DK_OP_PAD:
        if (x->rank != 4) return FAIL("node %u (pad): input must be rank 4", n);
        for (uint32_t d = 0; d < 4; d++) y->dims[d] = x->dims[d] + a->pads[d] + a->pads[d + 4];
        return DLRT_OK;
    case DK_OP_EMBEDDING:
        return infer_embedding(n, x, w, y);
    case DK_OP_RNN:
    case DK_OP_LSTM:
    case DK_OP_GRU:
        return infer_recurrent(m, n, shapes, y);
    case DK_OP_RELU:
    case DK_OP_LEAKY_RELU:
    case DK_OP_SIGMOID:
    case DK_OP_TANH:
    case DK_OP_QUANTIZE:
    case DK_OP_DEQUANTIZE:
        return DLRT_OK;
    case DK_OP_COUNT:
        break;
    }
    return dk_fail(DLRT_ERR_INTERNAL, "node %u: no shape rule for op %d", n, (int)node->op);
}

dlrt_status dk_infer_shapes(const dlrt_model *m, int64_t batch, dk_shape *shapes) {
    for (uint32_t t = 0; t < m->tensor_count; t++) {
        shapes[t].rank = m->tensors[t].rank;
        memcpy(shapes[t].dims, m->tensors[t].dims, sizeof shapes[t].dims);
    }
    if (batch > 0)
        for (uint32_t i = 0; i < m->input_count; i++) shapes[m->inputs[i]].dims[0] = batch;
    for (uint32_t n = 0; n < m->node_count; n++) {
        dlrt_status st = infer_node(m, n, shapes);
        if (st != DLRT_OK) return st;
        const dk_shape *y = &shapes[m->nodes[n].outputs[0]];
        uint64_t elements = 1;
        for (uint32_t d = 0; d < y->rank; d++) {
            if (y->dims[d] < 1 || y->dims[d] > 0x7FFFFFFF || (elements *= (uint64_t)y->dims[d]) > (DK_MAX_TENSOR_BYTES / 4))
                return FAIL("node %u (%s): output '%s' is empty or larger than 2^34 bytes", n, dk_op_name(m->nodes[n].op),
                            m->tensors[m->nodes[n].outputs[0]].name);
        }
    }
    return DLRT_OK;
}

/* Inference batch norm becomes y = x * scale + shift, computed once at load. */
static dlrt_status fold_batch_norm(dlrt_model *m, uint32_t n) {
    dk_node *node = &m->nodes[n];
    size_t c = (size_t)m->tensors[node->inputs[1]].dims[0];
    node->folded = malloc(2 * c * sizeof(float));
    if (node->folded == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "node %u (batch_norm): out of memory", n);
    const float *gamma = m->tensors[node->inputs[1]].data, *beta = m->tensors[node->inputs[2]].data;
    const float *mean = m->tensors[node->inputs[3]].data, *var = m->tensors[node->inputs[4]].data;
    for (size_t i = 0; i < c; i++) {
        double denom = (double)var[i] + node->attrs.epsilon;
        if (!(denom > 0) || !isfinite(denom))
            return dk_fail(DLRT_ERR_FORMAT, "node %u (batch_norm): variance + epsilon of channel %zu is not positive", n, i);
        double scale = gamma[i] / sqrt(denom);
        node->folded[i] = (float)scale;
        node->folded[c + i] = (float)(beta[i] - mean[i] * scale);
    }
    return DLRT_OK;
}

dlrt_status dk_check_shapes(dlrt_model *m) {
    dk_shape *shapes = malloc(sizeof *shapes * m->tensor_count);
    if (shapes == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "out of memory inferring shapes");
    dlrt_status st = dk_infer_shapes(m, 0, shapes);
    for (uint32_t t = 0; t < m->tensor_count && st == DLRT_OK; t++) {
        const dk_tensor *tensor = &m->tensors[t];
        if (tensor->producer < 0) continue;
        if (shapes[t].rank != tensor->rank || memcmp(shapes[t].dims, tensor->dims, sizeof(int64_t) * tensor->rank) != 0) {
            char stored[160], inferred[160];
            dk_shape s = {tensor->rank, {0}};
            memcpy(s.dims, tensor->dims, sizeof s.dims);
            shape_text(&s, stored, sizeof stored);
            shape_text(&shapes[t], inferred, sizeof inferred);
            st = FAIL("tensor '%s': stored shape %s but the graph gives %s", tensor->name, stored, inferred);
        }
    }
    for (uint32_t n = 0; n < m->node_count && st == DLRT_OK; n++)
        if (m->nodes[n].op == DK_OP_BATCH_NORM) st = fold_batch_norm(m, n);
        else if (dk_op_is_recurrent(m->nodes[n].op)) st = dk_dequantize_recurrent_weights(m, n);
    free(shapes);
    return st;
}
