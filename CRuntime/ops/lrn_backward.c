/*
 * Local response normalisation backward (PyTorch's definition, see lrn.c):
 * with B[c] = k + alpha / size * sum of x[j]^2 over c's window
 * [c - size/2, c + (size-1)/2] and y[c] = x[c] * B[c]^-beta,
 *   dx[i] = dy[i] * B[i]^-beta
 *           - 2 * alpha * beta / size * x[i] * sum of T[c] over the c whose window holds i,
 *   T[c]  = dy[c] * x[c] * B[c]^(-beta-1),
 * and i is in c's window exactly when c is in [i - (size-1)/2, i + size/2].
 *
 * Work is split over (image, block of LRNB_COLS spatial positions); per task,
 * B^-beta and T for every channel go to the thread's workspace slice
 * (2 * c * LRNB_COLS floats), then a second pass over the channels sums T's
 * windows. The powers go through vmath.c's vectorised exp(e * log(b)).
 */
#include "ops_backward_internal.h"

#define LRNB_COLS ((size_t)64)

size_t dk_lrn_backward_workspace_floats(size_t c, int threads) {
    size_t per;
    if (threads < 1) threads = 1;
    if (!dk_ops_mul(c, 2 * LRNB_COLS, &per) || !dk_ops_mul(dk_ops_round16(per), (size_t)threads, &per))
        return SIZE_MAX;
    return per;
}

typedef struct lrnb_ctx {
    size_t c, hw, size, col_blocks, slice;
    float alpha, beta, k;
    const float *x, *dy;
    float *dx, *workspace;
    int accumulate;
} lrnb_ctx;

static void lrnb_task(void *context, size_t index, int thread) {
    const lrnb_ctx *l = context;
    const size_t img = index / l->col_blocks;
    const size_t i0 = (index % l->col_blocks) * LRNB_COLS;
    const size_t n = l->hw - i0 < LRNB_COLS ? l->hw - i0 : LRNB_COLS;
    const size_t off = img * l->c * l->hw + i0;
    const float *x = l->x + off, *dy = l->dy + off;
    float *dx = l->dx + off;
    float *pw = l->workspace + (size_t)thread * l->slice; /* B^-beta, [c][LRNB_COLS] */
    float *t = pw + l->c * LRNB_COLS;                     /* B, then T */
    const float scale = l->alpha / (float)l->size;
    const float coef = 2.0f * l->alpha * l->beta / (float)l->size;
    const size_t before = l->size / 2, after = (l->size - 1) / 2;
    for (size_t ch = 0; ch < l->c; ch++) {
        const size_t c0 = ch >= before ? ch - before : 0;
        const size_t c1 = ch + after + 1 < l->c ? ch + after + 1 : l->c;
        float *b = t + ch * LRNB_COLS, *p = pw + ch * LRNB_COLS;
        for (size_t j = 0; j < n; j++) b[j] = 0.0f;
        for (size_t cc = c0; cc < c1; cc++) {
            const float *xr = x + cc * l->hw;
            for (size_t j = 0; j < n; j++) b[j] += xr[j] * xr[j];
        }
        for (size_t j = 0; j < n; j++) {
            b[j] = l->k + scale * b[j];
            p[j] = 1.0f;
        }
        dk_ops_mul_pow(p, b, -l->beta, p, n);
        const float *xr = x + ch * l->hw, *gr = dy + ch * l->hw;
        for (size_t j = 0; j < n; j++) b[j] = gr[j] * xr[j] * p[j] / b[j];
    }
    for (size_t ch = 0; ch < l->c; ch++) {
        /* the channels whose window holds ch */
        const size_t c0 = ch >= after ? ch - after : 0;
        const size_t c1 = ch + before + 1 < l->c ? ch + before + 1 : l->c;
        float s[LRNB_COLS];
        for (size_t j = 0; j < n; j++) s[j] = 0.0f;
        for (size_t cc = c0; cc < c1; cc++) {
            const float *tr = t + cc * LRNB_COLS;
            for (size_t j = 0; j < n; j++) s[j] += tr[j];
        }
        const float *xr = x + ch * l->hw, *gr = dy + ch * l->hw, *p = pw + ch * LRNB_COLS;
        float *dr = dx + ch * l->hw;
        if (l->accumulate) {
            for (size_t j = 0; j < n; j++) dr[j] += gr[j] * p[j] - coef * xr[j] * s[j];
        } else {
            for (size_t j = 0; j < n; j++) dr[j] = gr[j] * p[j] - coef * xr[j] * s[j];
        }
    }
}

void dk_lrn_backward(dk_pool *pool, size_t n, size_t c, size_t hw, size_t size, float alpha, float beta, float k,
                     const float *x, const float *dy, float *dx, int accumulate, float *workspace) {
    if (n == 0 || c == 0 || hw == 0 || size == 0) return;
    lrnb_ctx l = {c, hw, size, (hw + LRNB_COLS - 1) / LRNB_COLS, dk_ops_round16(c * 2 * LRNB_COLS),
                  alpha, beta, k, x, dy, dx, workspace, accumulate};
    dk_pool_for(pool, n * l.col_blocks, lrnb_task, &l);
}
