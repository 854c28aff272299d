/*
 * concat backward: the split of dy ([outer, total_axis, inner]) into the
 * inputs' gradients ([outer, axis_i, inner]), one contiguous copy (or add)
 * per (outer index, input), parallel over groups of outer rows.
 */
#include "ops_backward_internal.h"

typedef struct concatb_ctx {
    size_t count, outer, inner, total, per_task;
    const float *dy;
    const size_t *axis_sizes;
    float *const *dinputs;
    int accumulate;
} concatb_ctx;

static void concatb_task(void *context, size_t index, int thread) {
    (void)thread;
    const concatb_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->outer ? begin + c->per_task : c->outer;
    for (size_t o = begin; o < end; o++) {
        const float *src = c->dy + o * c->total * c->inner;
        for (size_t i = 0; i < c->count; i++) {
            const size_t len = c->axis_sizes[i] * c->inner;
            if (len && c->dinputs[i]) dk_opsb_write(c->dinputs[i] + o * len, src, len, c->accumulate);
            src += len;
        }
    }
}

void dk_concat_backward(dk_pool *pool, size_t count, const float *dy, const size_t *axis_sizes, size_t outer,
                        size_t inner, float *const *dinputs, int accumulate) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += axis_sizes[i];
    if (outer == 0 || total == 0 || inner == 0) return;
    concatb_ctx c = {count, outer, inner, total, 1, dy, axis_sizes, dinputs, accumulate};
    const size_t row = total * inner;
    if (row < DK_OPS_BLOCK) c.per_task = DK_OPS_BLOCK / row;
    dk_pool_for(pool, (outer + c.per_task - 1) / c.per_task, concatb_task, &c);
}
