/*
 * Recurrent state (include/dlrt.h, "recurrent state"): every rnn, gru and
 * lstm node's h (and c) [N, H], kept by the session between runs. Each state
 * has two buffers: `current`, which a DLRT_SESSION_KEEP_STATE run starts
 * from and the ABI reads and writes, and `pending`, where a run leaves the
 * state it ends with. Only a run that succeeds copies pending to current, so
 * a failed run (a bad embedding id in a later node) changes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "status.h"

typedef struct dk_state {
    char name[DK_MAX_NAME + 3]; /* "<output>.h" or ".c" */
    int64_t rows, cols;         /* N, H */
    size_t count;
    float *current, *pending;
} dk_state;

dlrt_status dk_session_plan_states(dlrt_session *s) {
    const dlrt_model *m = s->model;
    uint32_t count = 0;
    size_t floats = 0;
    for (uint32_t n = 0; n < m->node_count; n++) {
        if (!dk_op_is_recurrent(m->nodes[n].op)) continue;
        uint32_t k = m->nodes[n].op == DK_OP_LSTM ? 2 : 1;
        count += k;
        floats += 2 * k * s->steps[n].rnn.n * s->steps[n].rnn.h; /* N * H <= the output's N * T * H: no overflow */
    }
    if (count == 0) return DLRT_OK;
    s->states = calloc(count, sizeof *s->states);
    s->state_memory = calloc(floats, sizeof(float));
    if (s->states == NULL || s->state_memory == NULL)
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "session: cannot allocate %zu bytes of recurrent state", floats * sizeof(float));
    s->state_count = count;
    float *next = s->state_memory;
    dk_state *state = s->states;
    for (uint32_t n = 0; n < m->node_count; n++) {
        const dk_node *node = &m->nodes[n];
        if (!dk_op_is_recurrent(node->op)) continue;
        dk_step *step = &s->steps[n];
        for (uint32_t k = 0; k < (node->op == DK_OP_LSTM ? 2u : 1u); k++, state++) {
            snprintf(state->name, sizeof state->name, "%s.%c", m->tensors[node->outputs[0]].name, k ? 'c' : 'h');
            state->rows = (int64_t)step->rnn.n;
            state->cols = (int64_t)step->rnn.h;
            state->count = step->rnn.n * step->rnn.h;
            state->current = next;
            state->pending = next + state->count;
            next += 2 * state->count;
            step->state_in[k] = (s->flags & DLRT_SESSION_KEEP_STATE) ? state->current : NULL;
            step->state_out[k] = state->pending;
        }
    }
    return DLRT_OK;
}

void dk_session_commit_states(dlrt_session *s) {
    for (uint32_t i = 0; i < s->state_count; i++)
        memcpy(s->states[i].current, s->states[i].pending, s->states[i].count * sizeof(float));
}

void dk_session_free_states(dlrt_session *s) {
    free(s->states);
    free(s->state_memory);
}

dlrt_status dk_session_input_error(const dlrt_session *s, uint32_t n) {
    const dk_node *node = &s->model->nodes[n];
    const dk_step *step = &s->steps[n];
    if (node->op != DK_OP_EMBEDDING)
        return dk_fail(DLRT_ERR_INTERNAL, "node %u (%s): refused its input, which only embedding does", n, dk_op_name(node->op));
    const float *ids = step->in[0];
    size_t p = dk_embedding_find_invalid(ids, step->outer, step->axis);
    if (p >= step->outer) return dk_fail(DLRT_ERR_INTERNAL, "node %u (embedding): refused ids that are all valid", n);
    const dk_shape *x = &s->shapes[node->inputs[0]];
    char where[64];
    if (x->rank == 2) snprintf(where, sizeof where, "[%zu, %zu]", p / (size_t)x->dims[1], p % (size_t)x->dims[1]);
    else snprintf(where, sizeof where, "[%zu]", p);
    return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "node %u (embedding): id %.9g at position %s of '%s' is not an integer in [0, %zu)", n,
                   (double)ids[p], where, s->model->tensors[node->inputs[0]].name, step->axis);
}

/* ---- the ABI ---------------------------------------------------------------- */

size_t dlrt_session_state_count(const dlrt_session *s) { return s == NULL ? 0 : s->state_count; }

static dlrt_status find_state(const dlrt_session *s, size_t index, const char *call, dk_state **out) {
    if (s == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "%s: session is NULL", call);
    if (index >= s->state_count)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "%s: state index %zu out of range (the model has %u state tensors)", call, index,
                       s->state_count);
    *out = &s->states[index];
    return DLRT_OK;
}

/* find_state, then `count` against the state's N * H values. */
static dlrt_status find_state_sized(const dlrt_session *s, size_t index, size_t count, const void *data, const char *call,
                                    dk_state **out) {
    dlrt_status st = find_state(s, index, call, out);
    if (st != DLRT_OK) return st;
    if (count != (*out)->count)
        return dk_fail(DLRT_ERR_SHAPE, "%s: state '%s' [%lld, %lld] holds %zu values, %zu given", call, (*out)->name,
                       (long long)(*out)->rows, (long long)(*out)->cols, (*out)->count, count);
    if (data == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "%s: data is NULL", call);
    return DLRT_OK;
}

dlrt_status dlrt_session_state_info(const dlrt_session *s, size_t index, dlrt_tensor_info *info) {
    dk_clear_error();
    dk_state *state = NULL;
    dlrt_status st = find_state(s, index, "dlrt_session_state_info", &state);
    if (st != DLRT_OK) return st;
    if (info == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_state_info: out_info is NULL");
    if (info->struct_size != 0 && info->struct_size < sizeof *info)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_state_info: struct_size %zu is smaller than this library's %zu",
                       info->struct_size, sizeof *info);
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    info->name = state->name;
    info->dtype = DLRT_F32;
    info->rank = 2;
    info->shape[0] = state->rows;
    info->shape[1] = state->cols;
    info->quantization = DLRT_QUANT_NONE;
    info->quant_axis = -1;
    return DLRT_OK;
}

dlrt_status dlrt_session_get_state(const dlrt_session *s, size_t index, float *data, size_t count) {
    dk_clear_error();
    dk_state *state = NULL;
    dlrt_status st = find_state_sized(s, index, count, data, "dlrt_session_get_state", &state);
    if (st != DLRT_OK) return st;
    memcpy(data, state->current, count * sizeof(float));
    return DLRT_OK;
}

dlrt_status dlrt_session_set_state(dlrt_session *s, size_t index, const float *data, size_t count) {
    dk_clear_error();
    dk_state *state = NULL;
    dlrt_status st = find_state_sized(s, index, count, data, "dlrt_session_set_state", &state);
    if (st != DLRT_OK) return st;
    if (!(s->flags & DLRT_SESSION_KEEP_STATE))
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT,
                       "dlrt_session_set_state: the session was not created with DLRT_SESSION_KEEP_STATE (its runs start from zeros)");
    for (size_t i = 0; i < count; i++)
        if (!isfinite(data[i]))
            return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_set_state: state '%s' value %zu ([%zu, %zu]) is %g; states must be finite",
                           state->name, i, i / (size_t)state->cols, i % (size_t)state->cols, (double)data[i]);
    memcpy(state->current, data, count * sizeof(float));
    return DLRT_OK;
}

dlrt_status dlrt_session_reset_state(dlrt_session *s) {
    dk_clear_error();
    if (s == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_reset_state: session is NULL");
    for (uint32_t i = 0; i < s->state_count; i++) memset(s->states[i].current, 0, s->states[i].count * sizeof(float));
    return DLRT_OK;
}
