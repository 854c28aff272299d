/*
 * dense backward (y [n, m] = x [n, k] * w^T + bias): two dk_sgemm calls on the
 * whole pool, dx = dy * w (beta 1 when accumulating) and dw = dy^T * x
 * (trans_a), and db = column sums of dy (parallel over blocks of columns,
 * rows added in double). Workspace: the larger of the two GEMMs' for
 * `threads` threads.
 */
#include "ops_backward_internal.h"

#define DENSEB_COLS ((size_t)256)

size_t dk_dense_backward_workspace_floats(size_t n, size_t k, size_t m, int threads) {
    if (threads < 1) threads = 1;
    size_t a = dk_sgemm_workspace_floats(n, k, m, threads);
    size_t b = dk_sgemm_workspace_floats(m, k, n, threads);
    return a > b ? a : b;
}

typedef struct colsum_ctx {
    size_t n, m;
    const float *dy;
    float *db;
    int accumulate;
} colsum_ctx;

static void colsum_task(void *context, size_t index, int thread) {
    (void)thread;
    const colsum_ctx *c = context;
    const size_t j0 = index * DENSEB_COLS;
    const size_t nb = c->m - j0 < DENSEB_COLS ? c->m - j0 : DENSEB_COLS;
    double acc[DENSEB_COLS];
    for (size_t j = 0; j < nb; j++) acc[j] = 0.0;
    for (size_t i = 0; i < c->n; i++) {
        const float *row = c->dy + i * c->m + j0;
        for (size_t j = 0; j < nb; j++) acc[j] += (double)row[j];
    }
    float *db = c->db + j0;
    for (size_t j = 0; j < nb; j++) db[j] = c->accumulate ? (float)((double)db[j] + acc[j]) : (float)acc[j];
}

void dk_dense_backward(dk_pool *pool, size_t n, size_t k, size_t m, const float *x, const float *w,
                       const float *dy, float *dx, float *dw, float *db, int accumulate, float *workspace) {
    const float beta = accumulate ? 1.0f : 0.0f;
    if (dx) (void)dk_sgemm(pool, 0, 0, n, k, m, 1.0f, dy, m, w, k, beta, dx, k, NULL, workspace);
    if (dw) (void)dk_sgemm(pool, 1, 0, m, k, n, 1.0f, dy, m, x, k, beta, dw, k, NULL, workspace);
    if (db && m) {
        colsum_ctx c = {n, m, dy, db, accumulate};
        dk_pool_for(pool, (m + DENSEB_COLS - 1) / DENSEB_COLS, colsum_task, &c);
    }
}
