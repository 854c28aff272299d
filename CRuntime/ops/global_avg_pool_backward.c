/*
 * global_avg_pool backward: dx[n, c, :] = dy[n, c] / hw (PyTorch's mean
 * backward divides), parallel over groups of planes.
 */
#include "ops_backward_internal.h"

typedef struct gapb_ctx {
    size_t planes, per_task, hw;
    const float *dy;
    float *dx;
    int accumulate;
} gapb_ctx;

static void gapb_task(void *context, size_t index, int thread) {
    (void)thread;
    const gapb_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->planes ? begin + c->per_task : c->planes;
    for (size_t i = begin; i < end; i++) {
        const float g = c->dy[i] / (float)c->hw;
        float *dx = c->dx + i * c->hw;
        if (c->accumulate) {
            for (size_t j = 0; j < c->hw; j++) dx[j] += g;
        } else {
            for (size_t j = 0; j < c->hw; j++) dx[j] = g;
        }
    }
}

void dk_global_avg_pool_backward(dk_pool *pool, size_t n, size_t c, size_t hw, const float *dy, float *dx,
                                 int accumulate) {
    gapb_ctx g = {n * c, 1, hw, dy, dx, accumulate};
    if (g.planes == 0 || hw == 0) return;
    if (hw < DK_OPS_BLOCK) g.per_task = DK_OPS_BLOCK / hw;
    dk_pool_for(pool, (g.planes + g.per_task - 1) / g.per_task, gapb_task, &g);
}
