/*
 * rnn, lstm and gru take W_ih and W_hh as i8 to make files 4x smaller (a
 * character LSTM of 2 x 512 is 13 MB in f32). There is no int8 recurrent
 * kernel: the weights are dequantized once, here, and the unchanged f32
 * kernels run on the copies, so an i8 model computes exactly what the f32
 * model holding the dequantized values computes.
 */
#include "recurrent_weights.h"

#include <stdint.h>
#include <stdlib.h>

#include "status.h"

static dlrt_status dequantize(const dk_tensor *w, uint32_t n, const char *op, const char *role, float **out) {
    const size_t rows = (size_t)w->dims[0], cols = (size_t)w->dims[1];
    const int8_t *q = w->data;
    for (size_t i = 0; i < rows * cols; i++)
        if (q[i] == -128)
            return dk_fail(DLRT_ERR_FORMAT, "node %u (%s): int8 %s '%s' holds -128 at [%zu, %zu]; int8 weights are in [-127, 127]", n, op,
                           role, w->name, i / cols, i % cols);
    if (rows * cols > (SIZE_MAX - 63) / sizeof(float))
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "node %u (%s): %s '%s' is too large for an f32 copy", n, op, role, w->name);
    const size_t bytes = (rows * cols * sizeof(float) + 63) & ~(size_t)63; /* aligned_alloc takes whole lines */
    float *f = aligned_alloc(64, bytes);
    if (f == NULL)
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "node %u (%s): cannot allocate %zu bytes for the f32 copy of %s '%s'", n, op, bytes, role,
                       w->name);
    for (size_t r = 0; r < rows; r++) {
        const float s = w->scales[w->quantization == DLRT_QUANT_PER_CHANNEL ? r : 0];
        for (size_t c = 0; c < cols; c++) f[r * cols + c] = s * (float)q[r * cols + c];
    }
    *out = f;
    return DLRT_OK;
}

dlrt_status dk_dequantize_recurrent_weights(dlrt_model *m, uint32_t n) {
    dk_node *node = &m->nodes[n];
    for (uint32_t k = 0; k < 2; k++) {
        const dk_tensor *w = &m->tensors[node->inputs[1 + k]];
        if (w->dtype != DLRT_I8) continue;
        dlrt_status st = dequantize(w, n, dk_op_name(node->op), k == 0 ? "W_ih" : "W_hh", &node->dequantized[k]);
        if (st != DLRT_OK) return st;
    }
    return DLRT_OK;
}
