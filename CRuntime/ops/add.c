/*
 * add: y = act(a + b) over equal shapes (a, b or both may be y), parallel
 * over blocks of DK_OPS_BLOCK floats; the activation reuses vmath.c's loops
 * on the block while it is still in cache.
 */
#include "ops_internal.h"

typedef struct add_ctx {
    const float *a, *b;
    float *y;
    size_t count;
    dk_activation act;
    float alpha;
} add_ctx;

static void add_task(void *context, size_t index, int thread) {
    (void)thread;
    const add_ctx *c = context;
    const size_t begin = index * DK_OPS_BLOCK;
    const size_t n = c->count - begin < DK_OPS_BLOCK ? c->count - begin : DK_OPS_BLOCK;
    const float *a = c->a + begin, *b = c->b + begin;
    float *y = c->y + begin;
    /* 16 at a time through a local array: vectorises without alias checks, and
     * same-index reads before the writes keep it right however a, b and y alias */
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float t[16];
        for (size_t j = 0; j < 16; j++) t[j] = a[i + j] + b[i + j];
        for (size_t j = 0; j < 16; j++) y[i + j] = t[j];
    }
    for (; i < n; i++) y[i] = a[i] + b[i];
    dk_ops_activation(c->act, c->alpha, y, y, n);
}

void dk_add_forward(dk_pool *pool, const float *a, const float *b, float *y, size_t count,
                    dk_activation act, float alpha) {
    add_ctx c = {a, b, y, count, act, alpha};
    dk_pool_for(pool, (count + DK_OPS_BLOCK - 1) / DK_OPS_BLOCK, add_task, &c);
}
