/*
 * Activation backward from the forward's output y (ops.h lists the rules,
 * which are PyTorch's: threshold_backward for relu, leaky_relu_backward on
 * the result, sigmoid_backward, tanh_backward, hardtanh_backward for relu6).
 * Elementwise, 16 at a time through a local array so that the loops
 * vectorise with dx == dy allowed; parallel over blocks of DK_OPS_BLOCK.
 */
#include "ops_backward_internal.h"

typedef struct actb_ctx {
    dk_activation act;
    float alpha;
    const float *y, *dy;
    float *dx;
    size_t count;
    int accumulate;
} actb_ctx;

/* dL/dx for one element from y and dy */
static inline float grad_of(dk_activation act, float alpha, float y, float g) {
    switch (act) {
    case DK_ACT_RELU: return y <= 0.0f ? 0.0f : g;
    case DK_ACT_LEAKY_RELU: return y > 0.0f ? g : g * alpha;
    case DK_ACT_SIGMOID: return g * (1.0f - y) * y;
    case DK_ACT_TANH: return g * (1.0f - y * y);
    case DK_ACT_RELU6: return (y <= 0.0f || y >= 6.0f) ? 0.0f : g;
    case DK_ACT_NONE:
    default: return g;
    }
}

/* One activation per instantiation, so that the switch leaves the loop. */
#define ACTB_LOOP(ACT)                                                                  \
    do {                                                                                \
        size_t i = 0;                                                                   \
        for (; i + 16 <= n; i += 16) {                                                  \
            float t[16];                                                                \
            for (size_t j = 0; j < 16; j++) t[j] = grad_of(ACT, alpha, y[i + j], dy[i + j]); \
            if (acc)                                                                    \
                for (size_t j = 0; j < 16; j++) dx[i + j] += t[j];                      \
            else                                                                        \
                for (size_t j = 0; j < 16; j++) dx[i + j] = t[j];                       \
        }                                                                               \
        for (; i < n; i++) {                                                            \
            float t = grad_of(ACT, alpha, y[i], dy[i]);                                 \
            dx[i] = acc ? dx[i] + t : t;                                                \
        }                                                                               \
    } while (0)

static void actb_task(void *context, size_t index, int thread) {
    (void)thread;
    const actb_ctx *c = context;
    const size_t begin = index * DK_OPS_BLOCK;
    const size_t n = c->count - begin < DK_OPS_BLOCK ? c->count - begin : DK_OPS_BLOCK;
    const float *y = c->y + begin, *dy = c->dy + begin;
    float *dx = c->dx + begin;
    const float alpha = c->alpha;
    const int acc = c->accumulate;
    switch (c->act) {
    case DK_ACT_RELU: ACTB_LOOP(DK_ACT_RELU); break;
    case DK_ACT_LEAKY_RELU: ACTB_LOOP(DK_ACT_LEAKY_RELU); break;
    case DK_ACT_SIGMOID: ACTB_LOOP(DK_ACT_SIGMOID); break;
    case DK_ACT_TANH: ACTB_LOOP(DK_ACT_TANH); break;
    case DK_ACT_RELU6: ACTB_LOOP(DK_ACT_RELU6); break;
    case DK_ACT_NONE:
    default: dk_opsb_write(dx, dy, n, acc); break;
    }
}

void dk_activation_backward(dk_pool *pool, dk_activation act, float alpha, const float *y, const float *dy,
                            float *dx, size_t count, int accumulate) {
    const int identity = act != DK_ACT_RELU && act != DK_ACT_LEAKY_RELU && act != DK_ACT_SIGMOID &&
                         act != DK_ACT_TANH && act != DK_ACT_RELU6;
    if (count == 0 || (identity && dx == dy && !accumulate)) return;
    actb_ctx c = {act, alpha, y, dy, dx, count, accumulate};
    dk_pool_for(pool, (count + DK_OPS_BLOCK - 1) / DK_OPS_BLOCK, actb_task, &c);
}
