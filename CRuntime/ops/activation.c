/*
 * The standalone activations (relu, leaky relu, sigmoid, tanh, relu6): the
 * ISA-dispatched vector loops of vmath.c, parallel over blocks of
 * DK_OPS_BLOCK floats.
 */
#include "ops_internal.h"

typedef struct act_ctx {
    dk_activation act;
    float alpha;
    const float *x;
    float *y;
    size_t count;
} act_ctx;

static void act_task(void *context, size_t index, int thread) {
    (void)thread;
    const act_ctx *c = context;
    const size_t begin = index * DK_OPS_BLOCK;
    const size_t n = c->count - begin < DK_OPS_BLOCK ? c->count - begin : DK_OPS_BLOCK;
    dk_ops_activation(c->act, c->alpha, c->x + begin, c->y + begin, n);
}

void dk_activation_forward(dk_pool *pool, dk_activation act, float alpha, const float *x, float *y,
                           size_t count) {
    if (act == DK_ACT_NONE && x == y) return;
    act_ctx c = {act, alpha, x, y, count};
    dk_pool_for(pool, (count + DK_OPS_BLOCK - 1) / DK_OPS_BLOCK, act_task, &c);
}
