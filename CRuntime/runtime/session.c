/*
 * Sessions: everything a run needs is decided at creation (shapes at the
 * session's batch, kernel parameters, buffer offsets, workspace), so that
 * dlrt_session_run only calls kernels over precomputed pointers and never
 * allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "../base/cpu.h"
#include "arena_plan.h"
#include "session.h"
#include "shape_infer.h"
#include "status.h"

void dlrt_session_options_defaults(dlrt_session_options *o) {
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->threads = 1;
}

/* Options from a caller built against any header version: fields past its struct_size keep defaults. */
static dlrt_status read_options(const dlrt_session_options *in, dlrt_session_options *out) {
    dlrt_session_options_defaults(out);
    if (in == NULL) return DLRT_OK;
    if (in->struct_size < offsetof(dlrt_session_options, batch) || in->struct_size > sizeof *out)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session options: struct_size %zu is not a known size (call dlrt_session_options_defaults)",
                       in->struct_size);
    memcpy(out, in, in->struct_size);
    out->struct_size = sizeof *out;
    if (out->threads == 0) out->threads = 1;
    if (out->threads > DLRT_MAX_THREADS) out->threads = DLRT_MAX_THREADS;
    if (out->batch < 0 || out->batch > 0x7FFFFFFF) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session options: batch %lld is out of range", (long long)out->batch);
    if (out->flags & ~(uint32_t)(DLRT_SESSION_KEEP_TENSORS | DLRT_SESSION_KEEP_STATE))
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session options: unknown flag bits 0x%x", out->flags);
    if (out->arena != NULL && ((uintptr_t)out->arena % 64) != 0)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session options: the caller's arena is not 64-byte aligned");
    return DLRT_OK;
}

/* The tensor whose memory a tensor uses: reshape and flatten are views of their input. */
static uint32_t storage_root(const dlrt_model *m, uint32_t t) {
    while (m->tensors[t].producer >= 0) {
        const dk_node *node = &m->nodes[m->tensors[t].producer];
        if (node->op != DK_OP_RESHAPE && node->op != DK_OP_FLATTEN) break;
        t = node->inputs[0];
    }
    return t;
}

/* Scratch bytes of one step (SIZE_MAX on overflow). */
static size_t step_workspace_bytes(const dk_step *s, const dk_node *node, int threads) {
    if (node->q8 != NULL) return dk_q8_step_workspace_bytes(node, s, threads);
    size_t floats;
    switch (node->op) {
    case DK_OP_CONV2D: floats = dk_conv2d_workspace_floats(&s->conv, threads); break;
    case DK_OP_CONV_TRANSPOSE2D: floats = dk_conv_transpose2d_workspace_floats(&s->conv, threads); break;
    case DK_OP_DENSE: floats = dk_dense_workspace_floats(s->outer, s->inner, s->axis, threads); break;
    case DK_OP_RNN:
    case DK_OP_LSTM:
    case DK_OP_GRU: floats = dk_recurrent_workspace_floats(&s->rnn, threads); break;
    default: return 0;
    }
    return floats > SIZE_MAX / sizeof(float) ? SIZE_MAX : floats * sizeof(float);
}

/* Fills one step's kernel parameters from the shapes (pointers come later). */
static void describe_step(const dlrt_model *m, uint32_t n, const dk_shape *shapes, dk_step *s) {
    const dk_node *node = &m->nodes[n];
    const dk_shape *x = &shapes[node->inputs[0]];
    const dk_shape *y = &shapes[node->outputs[0]];
    s->count = (size_t)dk_shape_elements(y);
    switch (node->op) {
    case DK_OP_CONV2D:
    case DK_OP_CONV_TRANSPOSE2D:
        dk_conv_params(node, x, &shapes[node->inputs[1]], &s->conv);
        if (node->op == DK_OP_CONV2D) dk_conv2d_infer(&s->conv);
        else dk_conv_transpose2d_infer(&s->conv);
        break;
    case DK_OP_DENSE: /* outer = N, inner = K, axis = M */
        s->outer = (size_t)x->dims[0];
        s->inner = (size_t)x->dims[1];
        s->axis = (size_t)y->dims[1];
        break;
    case DK_OP_MAX_POOL2D:
    case DK_OP_AVG_POOL2D:
        dk_pool_params(node, x, &s->pool);
        dk_pool2d_infer(&s->pool);
        break;
    case DK_OP_GLOBAL_AVG_POOL:
    case DK_OP_LRN:
    case DK_OP_BATCH_NORM: /* outer = N, axis = C, inner = the rest */
        s->outer = (size_t)x->dims[0];
        s->axis = (size_t)x->dims[1];
        s->inner = (size_t)(dk_shape_elements(x) / (uint64_t)(s->outer * s->axis));
        break;
    case DK_OP_SOFTMAX:
    case DK_OP_CONCAT: {
        int64_t axis = node->attrs.axis < 0 ? node->attrs.axis + (int64_t)x->rank : node->attrs.axis;
        s->outer = 1;
        s->inner = 1;
        for (int64_t d = 0; d < (int64_t)y->rank; d++) {
            if (d < axis) s->outer *= (size_t)y->dims[d];
            if (d > axis) s->inner *= (size_t)y->dims[d];
        }
        s->axis = (size_t)y->dims[axis];
        break;
    }
    case DK_OP_EMBEDDING: /* outer = ids, axis = table rows, inner = row length */
        s->outer = (size_t)dk_shape_elements(x);
        s->axis = (size_t)shapes[node->inputs[1]].dims[0];
        s->inner = (size_t)shapes[node->inputs[1]].dims[1];
        break;
    case DK_OP_RNN:
    case DK_OP_LSTM:
    case DK_OP_GRU:
        s->rnn.cell = (dk_recurrent_cell)dk_recurrent_gate_count(node->op);
        s->rnn.n = (size_t)x->dims[0];
        s->rnn.t = (size_t)x->dims[1];
        s->rnn.i = (size_t)x->dims[2];
        s->rnn.h = (size_t)y->dims[2];
        break;
    case DK_OP_PAD:
        for (int d = 0; d < 4; d++) s->dims[d] = (size_t)x->dims[d];
        for (int i = 0; i < 8; i++) s->pads[i] = (size_t)node->attrs.pads[i];
        break;
    default:
        break;
    }
}

/*
 * Multiply-adds of a step (elements touched for the others), and the least
 * for which it runs on the pool. Below 2^18 multiply-adds (a few
 * microseconds on one AVX-512 core) a step stays on the calling thread:
 * handing it over costs about as much, even to workers still spinning from
 * the last layer (pool.c), and a worker asleep takes tens of microseconds to
 * wake on an idle VM. Outputs do not depend on how work is split.
 */
#define PARALLEL_MIN_WORK ((uint64_t)1 << 18)

static uint64_t step_work(const dk_node *node, const dk_step *s) {
    const uint64_t count = s->count;
    switch (node->op) {
    case DK_OP_CONV2D:
    case DK_OP_CONV_TRANSPOSE2D: { /* a transposed conv's output sees one tap in sh * sw */
        const dk_conv2d_params *c = &s->conv;
        const uint64_t taps = count * (uint64_t)(c->groups ? c->c / c->groups : c->c) * c->kh * c->kw;
        return node->op == DK_OP_CONV2D ? taps : taps / ((uint64_t)c->sh * c->sw);
    }
    case DK_OP_DENSE: return (uint64_t)s->outer * s->inner * s->axis;
    case DK_OP_RNN:
    case DK_OP_LSTM:
    case DK_OP_GRU: {
        const dk_recurrent_params *r = &s->rnn;
        return (uint64_t)r->n * r->t * r->h * (uint64_t)r->cell * (r->i + r->h);
    }
    default: return count;
    }
}

/* Shapes, steps, liveness and offsets: everything but memory. */
static dlrt_status plan(dlrt_session *s) {
    const dlrt_model *m = s->model;
    s->shapes = malloc(sizeof *s->shapes * m->tensor_count);
    s->steps = calloc(m->node_count, sizeof *s->steps);
    s->offsets = calloc(m->tensor_count, sizeof *s->offsets);
    dk_live_range *ranges = calloc(m->tensor_count, sizeof *ranges);
    if (s->shapes == NULL || s->steps == NULL || s->offsets == NULL || ranges == NULL) {
        free(ranges);
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: out of memory while planning");
    }
    dlrt_status st = dk_infer_shapes(m, s->batch, s->shapes);
    if (st != DLRT_OK) {
        free(ranges);
        return st;
    }
    /* Graph inputs and outputs live for the whole run. */
    for (uint32_t i = 0; i < m->input_count; i++) ranges[m->inputs[i]].first = -1;
    for (uint32_t t = 0; t < m->tensor_count; t++)
        if (m->tensors[t].producer >= 0) ranges[t].first = m->tensors[t].producer;
    size_t workspace = 0;
    for (uint32_t n = 0; n < m->node_count; n++) {
        const dk_node *node = &m->nodes[n];
        describe_step(m, n, s->shapes, &s->steps[n]);
        s->steps[n].serial = step_work(node, &s->steps[n]) < PARALLEL_MIN_WORK;
        size_t w = step_workspace_bytes(&s->steps[n], node, (int)s->threads);
        if (w > workspace) workspace = w;
        for (uint32_t k = 0; k < node->input_count; k++) {
            uint32_t id = node->inputs[k];
            if (id == DK_NO_TENSOR || m->tensors[id].data != NULL) continue;
            uint32_t root = storage_root(m, id);
            if ((int64_t)n > ranges[root].last) ranges[root].last = n;
        }
    }
    for (uint32_t i = 0; i < m->output_count; i++) ranges[storage_root(m, m->outputs[i])].last = m->node_count;
    for (uint32_t i = 0; i < m->input_count; i++) ranges[m->inputs[i]].last = m->node_count;
    for (uint32_t t = 0; t < m->tensor_count; t++) {
        int is_activation = m->tensors[t].data == NULL && (m->tensors[t].producer >= 0 || ranges[t].first == -1);
        if (!is_activation || storage_root(m, t) != t) continue;
        ranges[t].bytes = dk_shape_elements(&s->shapes[t]) * dk_dtype_size(m->tensors[t].dtype);
        if (s->flags & DLRT_SESSION_KEEP_TENSORS) ranges[t].last = m->node_count; /* readable after the run */
        if (ranges[t].last < ranges[t].first) ranges[t].last = ranges[t].first; /* written, never read */
    }
    uint64_t peak = 0;
    if (dk_plan_arena(ranges, m->tensor_count, m->node_count, s->offsets, &peak) != 0) {
        free(ranges);
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: out of memory while planning");
    }
    for (uint32_t t = 0; t < m->tensor_count; t++) s->offsets[t] = s->offsets[storage_root(m, t)];
    free(ranges);
    s->workspace_offset = peak;
    uint64_t total = peak + (uint64_t)workspace;
    if (workspace > SIZE_MAX - 64 || total > (uint64_t)SIZE_MAX - 64)
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: arena of %llu bytes is too large", (unsigned long long)total);
    s->arena_size = (size_t)((total + 63) & ~(uint64_t)63);
    return DLRT_OK;
}

static void *tensor_memory(dlrt_session *s, uint32_t t) {
    const dk_tensor *tensor = &s->model->tensors[t];
    if (tensor->data != NULL) return (void *)tensor->data;
    return s->arena + s->offsets[t];
}

/* Binds every step's pointers into the arena and the model's constants. */
static dlrt_status bind(dlrt_session *s) {
    const dlrt_model *m = s->model;
    size_t concat_inputs = 0;
    for (uint32_t n = 0; n < m->node_count; n++)
        if (m->nodes[n].op == DK_OP_CONCAT) concat_inputs += m->nodes[n].input_count;
    s->concat_pointers = malloc(sizeof(float *) * (concat_inputs + 1));
    s->q8_concat_pointers = malloc(sizeof(int8_t *) * (concat_inputs + 1));
    s->concat_sizes = malloc(sizeof(size_t) * (concat_inputs + 1));
    if (s->concat_pointers == NULL || s->q8_concat_pointers == NULL || s->concat_sizes == NULL)
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: out of memory");
    const float **next_pointer = s->concat_pointers;
    const int8_t **next_q8_pointer = s->q8_concat_pointers;
    size_t *next_size = s->concat_sizes;
    s->workspace = s->arena + s->workspace_offset;
    for (uint32_t n = 0; n < m->node_count; n++) {
        const dk_node *node = &m->nodes[n];
        dk_step *step = &s->steps[n];
        for (uint32_t k = 0; k < node->input_count && k < 5; k++)
            step->in[k] = node->inputs[k] == DK_NO_TENSOR ? NULL : tensor_memory(s, node->inputs[k]);
        for (uint32_t k = 0; k < 2; k++) /* i8 recurrent weights: the f32 copies made at load */
            if (node->dequantized[k] != NULL) step->in[1 + k] = node->dequantized[k];
        step->out = tensor_memory(s, node->outputs[0]);
        if (node->op == DK_OP_CONCAT) {
            step->inputs = next_pointer;
            step->q8_inputs = next_q8_pointer;
            step->axis_sizes = next_size;
            for (uint32_t k = 0; k < node->input_count; k++) {
                const dk_shape *in = &s->shapes[node->inputs[k]];
                int64_t axis = node->attrs.axis < 0 ? node->attrs.axis + (int64_t)in->rank : node->attrs.axis;
                if (node->q8 != NULL) *next_q8_pointer++ = tensor_memory(s, node->inputs[k]);
                else *next_pointer++ = tensor_memory(s, node->inputs[k]);
                *next_size++ = (size_t)in->dims[axis];
            }
        }
    }
    return DLRT_OK;
}

/*
 * Packs the constant weights of every GEMM convolution (and of int8 dense,
 * with its per-channel multipliers and bias) once, into memory the session
 * owns (not the arena: dlrt_session_arena_size stays the activations plus
 * workspace). This is per session, not per model, because the layout
 * depends on the active ISA (dk_isa_force between load and session creation
 * is allowed); an f32 step whose ISA no longer matches at run time (only
 * tests switch it) falls back to the unpacked weights, and an int8 pack
 * records the kernel it was made for. Costs memory equal to those weights;
 * saves repacking them on every run (and every image).
 */
static size_t packed_bytes(const dk_node *node, const dk_step *step) {
    if (node->q8 != NULL) return dk_q8_step_packed_bytes(node, step);
    size_t floats = 0;
    if (node->op == DK_OP_CONV2D) floats = dk_conv2d_packed_weights_floats(&step->conv);
    if (node->op == DK_OP_CONV_TRANSPOSE2D) floats = dk_conv_transpose2d_packed_weights_floats(&step->conv);
    return floats > SIZE_MAX / sizeof(float) ? SIZE_MAX : floats * sizeof(float);
}

static int has_constant_weights(const dlrt_model *m, const dk_node *node) {
    return node->input_count >= 2 && node->inputs[1] != DK_NO_TENSOR && m->tensors[node->inputs[1]].data != NULL;
}

static size_t round64(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

static dlrt_status pack_weights(dlrt_session *s) {
    const dlrt_model *m = s->model;
    size_t total = 0;
    for (uint32_t n = 0; n < m->node_count; n++) {
        if (!has_constant_weights(m, &m->nodes[n])) continue;
        size_t b = packed_bytes(&m->nodes[n], &s->steps[n]);
        if (b > SIZE_MAX - 64 || total > SIZE_MAX - 64 - b) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: weights too large to pack");
        total += round64(b);
    }
    if (total == 0) return DLRT_OK;
    s->packed_weights = aligned_alloc(64, total);
    if (s->packed_weights == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: cannot allocate %zu bytes of packed weights", total);
    uint8_t *next = s->packed_weights;
    int isa = (int)dk_isa_active();
    for (uint32_t n = 0; n < m->node_count; n++) {
        const dk_node *node = &m->nodes[n];
        dk_step *step = &s->steps[n];
        if (!has_constant_weights(m, node)) continue;
        size_t b = packed_bytes(node, step);
        if (b == 0) continue;
        if (node->q8 != NULL) {
            if (dk_q8_step_pack(node, step, next) != 0)
                return dk_fail(DLRT_ERR_INTERNAL, "node %u (%s): the int8 kernel refused its weights after load accepted them", n,
                               dk_op_name(node->op));
        } else if (node->op == DK_OP_CONV2D) {
            dk_conv2d_pack_weights(&step->conv, step->in[1], (float *)next);
        } else {
            dk_conv_transpose2d_pack_weights(&step->conv, step->in[1], (float *)next);
        }
        step->packed = next;
        step->packed_isa = isa;
        next += round64(b);
    }
    return DLRT_OK;
}

void dlrt_session_free(dlrt_session *s) {
    if (s == NULL) return;
    dk_pool_free(s->pool);
    if (s->owns_arena) free(s->arena);
    free(s->shapes);
    free(s->steps);
    free(s->offsets);
    free(s->concat_pointers);
    free(s->q8_concat_pointers);
    free(s->concat_sizes);
    free(s->packed_weights);
    dk_session_free_states(s);
    free(s);
}

static dlrt_status session_new(const dlrt_model *model, const dlrt_session_options *options, dlrt_session **out) {
    dlrt_session_options o;
    dlrt_status st = read_options(options, &o);
    if (st != DLRT_OK) return st;
    dlrt_session *s = calloc(1, sizeof *s);
    if (s == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: out of memory");
    s->model = model;
    s->batch = o.batch;
    s->threads = o.threads;
    s->flags = o.flags;
    s->arena = o.arena;
    s->caller_arena_size = o.arena_size;
    if ((st = plan(s)) != DLRT_OK) {
        s->arena = NULL;
        dlrt_session_free(s);
        return st;
    }
    *out = s;
    return DLRT_OK;
}

dlrt_status dlrt_session_arena_size(const dlrt_model *model, const dlrt_session_options *options, size_t *out_bytes) {
    dk_clear_error();
    if (model == NULL || out_bytes == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_arena_size: NULL argument");
    dlrt_session *s;
    dlrt_status st = session_new(model, options, &s);
    if (st != DLRT_OK) return st;
    *out_bytes = s->arena_size;
    s->arena = NULL;
    dlrt_session_free(s);
    return DLRT_OK;
}

dlrt_status dlrt_session_create(const dlrt_model *model, const dlrt_session_options *options, dlrt_session **out_session) {
    dk_clear_error();
    if (out_session == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_create: out_session is NULL");
    *out_session = NULL;
    if (model == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_create: model is NULL");
    dlrt_session *s;
    dlrt_status st = session_new(model, options, &s);
    if (st != DLRT_OK) return st;
    if (s->arena != NULL) {
        if (s->caller_arena_size < s->arena_size) {
            st = dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: the caller's arena has %zu bytes, this model needs %zu",
                         s->caller_arena_size, s->arena_size);
            s->arena = NULL;
            dlrt_session_free(s);
            return st;
        }
    } else {
        s->arena = aligned_alloc(64, s->arena_size ? s->arena_size : 64);
        s->owns_arena = 1;
        if (s->arena == NULL) {
            st = dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: cannot allocate a %zu-byte arena", s->arena_size);
            dlrt_session_free(s);
            return st;
        }
    }
    if (s->threads > 1 && (s->pool = dk_pool_create((int)s->threads)) == NULL) {
        dlrt_session_free(s);
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: cannot start %u threads", s->threads);
    }
    if ((st = bind(s)) != DLRT_OK || (st = pack_weights(s)) != DLRT_OK || (st = dk_session_plan_states(s)) != DLRT_OK) {
        dlrt_session_free(s);
        return st;
    }
    *out_session = s;
    return DLRT_OK;
}

static dlrt_status io_info(const dlrt_session *s, size_t index, int output, dlrt_tensor_info *info) {
    dk_clear_error();
    if (s == NULL || info == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session info: NULL argument");
    uint32_t count = output ? s->model->output_count : s->model->input_count;
    if (index >= count) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session: %s index %zu out of range (%u)", output ? "output" : "input", index, count);
    uint32_t t = output ? s->model->outputs[index] : s->model->inputs[index];
    dlrt_status st = dk_tensor_info(s->model, t, info);
    if (st == DLRT_OK) memcpy(info->shape, s->shapes[t].dims, sizeof info->shape);
    return st;
}

dlrt_status dlrt_session_input_info(const dlrt_session *s, size_t index, dlrt_tensor_info *info) { return io_info(s, index, 0, info); }
dlrt_status dlrt_session_output_info(const dlrt_session *s, size_t index, dlrt_tensor_info *info) { return io_info(s, index, 1, info); }

/* The arena memory of graph input or output `index`, after checking `count` against it. */
static dlrt_status io_buffer(const dlrt_session *s, size_t index, int output, size_t count, float **buffer) {
    if (s == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session is NULL");
    uint32_t n = output ? s->model->output_count : s->model->input_count;
    const char *what = output ? "output" : "input";
    if (index >= n) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "session: %s index %zu out of range (%u)", what, index, n);
    uint32_t t = output ? s->model->outputs[index] : s->model->inputs[index];
    uint64_t expected = dk_shape_elements(&s->shapes[t]);
    if (count != expected)
        return dk_fail(DLRT_ERR_SHAPE, "session: %s '%s' holds %llu values, %zu given", what, s->model->tensors[t].name,
                       (unsigned long long)expected, count);
    *buffer = (float *)(s->arena + s->offsets[t]);
    return DLRT_OK;
}

dlrt_status dlrt_session_set_input(dlrt_session *s, size_t index, const float *data, size_t count) {
    dk_clear_error();
    float *buffer;
    dlrt_status st = io_buffer(s, index, 0, count, &buffer);
    if (st != DLRT_OK) return st;
    if (data == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_set_input: data is NULL");
    memcpy(buffer, data, count * sizeof(float));
    return DLRT_OK;
}

dlrt_status dlrt_session_get_output(const dlrt_session *s, size_t index, float *data, size_t count) {
    dk_clear_error();
    float *buffer;
    dlrt_status st = io_buffer(s, index, 1, count, &buffer);
    if (st != DLRT_OK) return st;
    if (data == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_get_output: data is NULL");
    memcpy(data, buffer, count * sizeof(float));
    return DLRT_OK;
}

dlrt_status dlrt_session_run(dlrt_session *s) {
    dk_clear_error();
    if (s == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_run: session is NULL");
    const dlrt_model *m = s->model;
    for (uint32_t n = 0; n < m->node_count; n++) {
        int refused = dk_step_run(s->steps[n].serial ? NULL : s->pool, &m->nodes[n], &s->steps[n], s->workspace);
        if (refused > 0) return dk_session_input_error(s, n);
        if (refused < 0)
            return dk_fail(DLRT_ERR_INTERNAL, "node %u (%s): the int8 kernel refused its parameters after load accepted them", n,
                           dk_op_name(m->nodes[n].op));
    }
    dk_session_commit_states(s);
    return DLRT_OK;
}
