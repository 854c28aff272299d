/*
 * global_avg_pool: y[n, c] = mean of the hw values of each plane, summed with
 * 16 independent partial sums (vectorised), parallel over groups of planes.
 */
#include "ops_internal.h"

typedef struct gap_ctx {
    size_t planes, per_task, hw;
    const float *x;
    float *y;
} gap_ctx;

static void gap_task(void *context, size_t index, int thread) {
    (void)thread;
    const gap_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->planes ? begin + c->per_task : c->planes;
    const float inv = 1.0f / (float)c->hw;
    for (size_t i = begin; i < end; i++) c->y[i] = dk_ops_sum(c->x + i * c->hw, c->hw) * inv;
}

void dk_global_avg_pool_forward(dk_pool *pool, size_t n, size_t c, size_t hw, const float *x, float *y) {
    gap_ctx g = {n * c, 1, hw, x, y};
    if (g.planes == 0) return;
    if (hw < DK_OPS_BLOCK) g.per_task = DK_OPS_BLOCK / (hw ? hw : 1);
    dk_pool_for(pool, (g.planes + g.per_task - 1) / g.per_task, gap_task, &g);
}
