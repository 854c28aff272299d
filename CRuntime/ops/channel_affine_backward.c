/*
 * channel_affine backward (y = x * scale[c] + shift[c] over [n, c, inner]):
 * dx = dy * scale[c], dscale[c] = sum dy * x, dshift[c] = sum dy, the sums
 * accumulated in double over 8 partial sums. One task per channel.
 */
#include "ops_backward_internal.h"

typedef struct affb_ctx {
    size_t n, c, inner;
    const float *x, *scale, *dy;
    float *dx, *dscale, *dshift;
    int accumulate;
} affb_ctx;

static void affb_channel(void *context, size_t ch, int thread) {
    (void)thread;
    const affb_ctx *a = context;
    const size_t stride = a->c * a->inner;
    double sx = 0.0, s = 0.0;
    for (size_t i = 0; i < a->n; i++) {
        const size_t at = i * stride + ch * a->inner;
        const float *dy = a->dy + at;
        if (a->dscale) {
            const float *x = a->x + at;
            double acc[8] = {0};
            size_t j = 0;
            for (; j + 8 <= a->inner; j += 8)
                for (size_t l = 0; l < 8; l++) acc[l] += (double)dy[j + l] * (double)x[j + l];
            for (; j < a->inner; j++) sx += (double)dy[j] * (double)x[j];
            for (size_t l = 0; l < 8; l++) sx += acc[l];
        }
        if (a->dshift) {
            double acc[8] = {0};
            size_t j = 0;
            for (; j + 8 <= a->inner; j += 8)
                for (size_t l = 0; l < 8; l++) acc[l] += (double)dy[j + l];
            for (; j < a->inner; j++) s += (double)dy[j];
            for (size_t l = 0; l < 8; l++) s += acc[l];
        }
        if (a->dx) {
            const float k = a->scale[ch];
            float *dx = a->dx + at;
            if (a->accumulate) {
                for (size_t j = 0; j < a->inner; j++) dx[j] += dy[j] * k;
            } else {
                for (size_t j = 0; j < a->inner; j++) dx[j] = dy[j] * k;
            }
        }
    }
    if (a->dscale) a->dscale[ch] = (float)(sx + (a->accumulate ? (double)a->dscale[ch] : 0.0));
    if (a->dshift) a->dshift[ch] = (float)(s + (a->accumulate ? (double)a->dshift[ch] : 0.0));
}

void dk_channel_affine_backward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *x,
                                const float *scale, const float *dy, float *dx, float *dscale, float *dshift,
                                int accumulate) {
    if (c == 0) return;
    affb_ctx a = {n, c, inner, x, scale, dy, dx, dscale, dshift, accumulate};
    dk_pool_for(pool, c, affb_channel, &a);
}
