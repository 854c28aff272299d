/*
 * concat along one axis, each input seen as [outer, axis_i, inner]: every
 * (outer index, input) pair is one contiguous copy of axis_i * inner floats
 * to its offset in y's row of total_axis * inner. Parallel over outer rows
 * when the copy is large enough to be worth it.
 */
#include "ops_internal.h"

#include <string.h>

typedef struct concat_ctx {
    size_t count, outer, inner, total, per_task;
    const float *const *inputs;
    const size_t *axis_sizes;
    float *y;
} concat_ctx;

static void concat_task(void *context, size_t index, int thread) {
    (void)thread;
    const concat_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->outer ? begin + c->per_task : c->outer;
    for (size_t o = begin; o < end; o++) {
        float *dst = c->y + o * c->total * c->inner;
        for (size_t i = 0; i < c->count; i++) {
            const size_t len = c->axis_sizes[i] * c->inner;
            if (len) memcpy(dst, c->inputs[i] + o * len, len * sizeof(float));
            dst += len;
        }
    }
}

void dk_concat_forward(dk_pool *pool, size_t count, const float *const *inputs, const size_t *axis_sizes,
                       size_t outer, size_t inner, float *y) {
    size_t total = 0;
    for (size_t i = 0; i < count; i++) total += axis_sizes[i];
    if (outer == 0 || total == 0 || inner == 0) return;
    concat_ctx c = {count, outer, inner, total, 1, inputs, axis_sizes, y};
    const size_t row = total * inner;
    if (row < DK_OPS_BLOCK) c.per_task = DK_OPS_BLOCK / row;
    dk_pool_for(pool, (outer + c.per_task - 1) / c.per_task, concat_task, &c);
}
