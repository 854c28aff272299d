/*
 * softmax over the middle axis of [outer, axis, inner], numerically stable:
 * y = exp(x - max) / sum exp(x - max). x == y allowed.
 *
 * inner == 1 (the usual last-axis case): each contiguous row is one pass for
 * the maximum, one fused exp-and-sum pass (vmath.c, per ISA) and one scaling
 * pass. inner > 1: columns of up to SOFTMAX_COLS inner positions are handled
 * together, so every pass is a contiguous loop over a row segment, with the
 * column maxima and sums kept in small stack arrays. Parallel over rows or
 * (outer, column block) tasks.
 */
#include "ops_internal.h"

#define SOFTMAX_COLS ((size_t)256)

typedef struct softmax_ctx {
    size_t outer, axis, inner, per_task, col_blocks;
    const float *x;
    float *y;
} softmax_ctx;

static void softmax_rows(void *context, size_t index, int thread) {
    (void)thread;
    const softmax_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->outer ? begin + c->per_task : c->outer;
    for (size_t r = begin; r < end; r++) {
        const float *x = c->x + r * c->axis;
        float *y = c->y + r * c->axis;
        const float m = dk_ops_max(x, c->axis);
        const float inv = 1.0f / dk_ops_exp_shift_sum(x, m, y, c->axis);
        for (size_t i = 0; i < c->axis; i++) y[i] *= inv;
    }
}

static void softmax_cols(void *context, size_t index, int thread) {
    (void)thread;
    const softmax_ctx *c = context;
    const size_t o = index / c->col_blocks;
    const size_t i0 = (index % c->col_blocks) * SOFTMAX_COLS;
    const size_t n = c->inner - i0 < SOFTMAX_COLS ? c->inner - i0 : SOFTMAX_COLS;
    const float *x = c->x + o * c->axis * c->inner + i0;
    float *y = c->y + o * c->axis * c->inner + i0;
    float mx[SOFTMAX_COLS], sum[SOFTMAX_COLS];
    for (size_t j = 0; j < n; j++) {
        mx[j] = -INFINITY;
        sum[j] = 0.0f;
    }
    for (size_t a = 0; a < c->axis; a++) {
        const float *xr = x + a * c->inner;
        for (size_t j = 0; j < n; j++) mx[j] = (xr[j] > mx[j] || xr[j] != xr[j]) ? xr[j] : mx[j];
    }
    for (size_t a = 0; a < c->axis; a++) {
        const float *xr = x + a * c->inner;
        float *yr = y + a * c->inner;
        for (size_t j = 0; j < n; j++) yr[j] = xr[j] - mx[j];
        dk_ops_exp(yr, yr, n);
        for (size_t j = 0; j < n; j++) sum[j] += yr[j];
    }
    for (size_t j = 0; j < n; j++) sum[j] = 1.0f / sum[j];
    for (size_t a = 0; a < c->axis; a++) {
        float *yr = y + a * c->inner;
        for (size_t j = 0; j < n; j++) yr[j] *= sum[j];
    }
}

void dk_softmax_forward(dk_pool *pool, size_t outer, size_t axis, size_t inner, const float *x, float *y) {
    if (outer == 0 || axis == 0 || inner == 0) return;
    softmax_ctx c = {outer, axis, inner, 1, 1, x, y};
    if (inner == 1) {
        if (axis < DK_OPS_BLOCK) c.per_task = DK_OPS_BLOCK / axis;
        dk_pool_for(pool, (outer + c.per_task - 1) / c.per_task, softmax_rows, &c);
    } else {
        c.col_blocks = (inner + SOFTMAX_COLS - 1) / SOFTMAX_COLS;
        dk_pool_for(pool, outer * c.col_blocks, softmax_cols, &c);
    }
}
