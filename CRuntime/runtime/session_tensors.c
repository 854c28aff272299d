/*
 * Reading any tensor of a session after a run (DLRT_SESSION_KEEP_TENSORS):
 * what calibration and per-layer error reports need. The session keeps every
 * non-constant tensor in its own arena slot, so after dlrt_session_run each
 * holds the value the run gave it.
 */
#include <string.h>

#include "../ops/int8_ops.h"
#include "session.h"
#include "status.h"

dlrt_status dlrt_session_tensor_info(const dlrt_session *s, size_t index, dlrt_tensor_info *info) {
    dk_clear_error();
    if (s == NULL || info == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_tensor_info: NULL argument");
    if (index >= s->model->tensor_count)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_tensor_info: tensor index %zu out of range (%u)", index,
                       s->model->tensor_count);
    dlrt_status st = dk_tensor_info(s->model, (uint32_t)index, info);
    if (st == DLRT_OK) memcpy(info->shape, s->shapes[index].dims, sizeof info->shape);
    return st;
}

dlrt_status dlrt_session_get_tensor(const dlrt_session *s, size_t index, float *data, size_t count) {
    dk_clear_error();
    if (s == NULL || data == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_get_tensor: NULL argument");
    const dlrt_model *m = s->model;
    if (!(s->flags & DLRT_SESSION_KEEP_TENSORS))
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT,
                       "dlrt_session_get_tensor: the session was not created with DLRT_SESSION_KEEP_TENSORS "
                       "(without it, tensors share memory and are overwritten during the run)");
    if (index >= m->tensor_count)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_get_tensor: tensor index %zu out of range (%u)", index,
                       m->tensor_count);
    const dk_tensor *t = &m->tensors[index];
    if (t->data != NULL)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_get_tensor: tensor %zu ('%s') is a constant, not an activation",
                       index, t->name);
    int is_input = 0;
    for (uint32_t i = 0; i < m->input_count; i++) is_input |= m->inputs[i] == index;
    if (t->producer < 0 && !is_input)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_session_get_tensor: tensor %zu ('%s') is neither a graph input nor a node's output",
                       index, t->name);
    uint64_t expected = dk_shape_elements(&s->shapes[index]);
    if (count != expected)
        return dk_fail(DLRT_ERR_SHAPE, "dlrt_session_get_tensor: tensor '%s' holds %llu values, %zu given", t->name,
                       (unsigned long long)expected, count);
    const uint8_t *memory = s->arena + s->offsets[index];
    if (t->dtype == DLRT_I8) {
        dk_q8_param q = {t->scales[0], t->zero_points[0]};
        dk_q8_dequantize_forward(NULL, (const int8_t *)memory, q, data, count);
    } else {
        memcpy(data, memory, count * sizeof(float));
    }
    return DLRT_OK;
}
