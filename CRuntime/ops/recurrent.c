/*
 * rnn (tanh), lstm and gru over a batch-first sequence, one layer, PyTorch's
 * equations and gate order. The matrix work is dk_dense_forward: once for the
 * input projection of all n * t rows (x W_ih^T + b_ih), then once per step
 * for the recurrent term (h W_hh^T + b_hh), which is the only part that must
 * be sequential. The two are kept apart, as PyTorch does, because the GRU's
 * candidate gate scales only the recurrent term by r. The gate math per step
 * is elementwise over [n, G*h], written with vmath's branch-free sigmoid and
 * tanh so that the compiler vectorises it and every ISA gives the same values.
 *
 * Workspace (each slice rounded to 16 floats): gx [n*t, G*h], gh [n, G*h],
 * the running h and c [n, h], then the dense calls' own scratch.
 */
#include "ops_internal.h"

#include <string.h>

#include "vmath.h"

static size_t gates(const dk_recurrent_params *p) { return (size_t)p->cell * p->h; }

size_t dk_recurrent_workspace_floats(const dk_recurrent_params *p, int threads) {
    size_t gh = gates(p), rows, gx, step, state, total;
    if (!dk_ops_mul(p->n, p->t, &rows) || !dk_ops_mul(rows, gh, &gx) || !dk_ops_mul(p->n, gh, &step) ||
        !dk_ops_mul(p->n, p->h, &state) || gx > SIZE_MAX - 64)
        return SIZE_MAX;
    size_t dense_x = dk_dense_workspace_floats(rows, p->i, gh, threads);
    size_t dense_h = dk_dense_workspace_floats(p->n, p->h, gh, threads);
    size_t dense = dense_x > dense_h ? dense_x : dense_h;
    if (!dk_ops_add(dk_ops_round16(gx), dk_ops_round16(step), &total) || !dk_ops_add(total, 2 * dk_ops_round16(state), &total) ||
        !dk_ops_add(total, dense, &total))
        return SIZE_MAX;
    return total;
}

/* One step of one batch row: gx, gh the row's [G*h] pre-activations; h, c updated in place; y gets h. */
static void rnn_row(size_t hs, const float *restrict gx, const float *restrict gh, float *restrict h, float *restrict y) {
    for (size_t j = 0; j < hs; j++) {
        float v = dk_vm_tanh(gx[j] + gh[j]);
        h[j] = v;
        y[j] = v;
    }
}

static void lstm_row(size_t hs, const float *restrict gx, const float *restrict gh, float *restrict h, float *restrict c,
                     float *restrict y) {
    for (size_t j = 0; j < hs; j++) {
        float i = dk_vm_sigmoid(gx[j] + gh[j]);
        float f = dk_vm_sigmoid(gx[hs + j] + gh[hs + j]);
        float g = dk_vm_tanh(gx[2 * hs + j] + gh[2 * hs + j]);
        float o = dk_vm_sigmoid(gx[3 * hs + j] + gh[3 * hs + j]);
        float cn = f * c[j] + i * g;
        float v = o * dk_vm_tanh(cn);
        c[j] = cn;
        h[j] = v;
        y[j] = v;
    }
}

static void gru_row(size_t hs, const float *restrict gx, const float *restrict gh, float *restrict h, float *restrict y) {
    for (size_t j = 0; j < hs; j++) {
        float r = dk_vm_sigmoid(gx[j] + gh[j]);
        float z = dk_vm_sigmoid(gx[hs + j] + gh[hs + j]);
        float nn = dk_vm_tanh(gx[2 * hs + j] + r * gh[2 * hs + j]);
        float v = (1.0f - z) * nn + z * h[j];
        h[j] = v;
        y[j] = v;
    }
}

void dk_recurrent_forward(dk_pool *pool, const dk_recurrent_params *p, const float *x, const float *w_ih,
                          const float *w_hh, const float *b_ih, const float *b_hh, const float *h0, const float *c0,
                          float *y, float *h_n, float *c_n, float *workspace) {
    const size_t n = p->n, t = p->t, hs = p->h, g = gates(p);
    float *gx = workspace;
    float *gh = gx + dk_ops_round16(n * t * g);
    float *h = gh + dk_ops_round16(n * g);
    float *c = h + dk_ops_round16(n * hs);
    float *scratch = c + dk_ops_round16(n * hs);
    if (h0) memcpy(h, h0, n * hs * sizeof(float));
    else memset(h, 0, n * hs * sizeof(float));
    if (p->cell == DK_CELL_LSTM) {
        if (c0) memcpy(c, c0, n * hs * sizeof(float));
        else memset(c, 0, n * hs * sizeof(float));
    }
    dk_dense_forward(pool, n * t, p->i, g, x, w_ih, b_ih, DK_ACT_NONE, 0.0f, gx, scratch);
    for (size_t s = 0; s < t; s++) {
        dk_dense_forward(pool, n, hs, g, h, w_hh, b_hh, DK_ACT_NONE, 0.0f, gh, scratch);
        for (size_t r = 0; r < n; r++) {
            const float *gxr = gx + (r * t + s) * g, *ghr = gh + r * g;
            float *yr = y + (r * t + s) * hs;
            switch (p->cell) {
            case DK_CELL_RNN_TANH: rnn_row(hs, gxr, ghr, h + r * hs, yr); break;
            case DK_CELL_LSTM: lstm_row(hs, gxr, ghr, h + r * hs, c + r * hs, yr); break;
            case DK_CELL_GRU: gru_row(hs, gxr, ghr, h + r * hs, yr); break;
            }
        }
    }
    if (h_n) memcpy(h_n, h, n * hs * sizeof(float));
    if (c_n && p->cell == DK_CELL_LSTM) memcpy(c_n, c, n * hs * sizeof(float));
}
