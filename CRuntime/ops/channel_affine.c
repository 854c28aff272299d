/*
 * channel_affine (inference batch norm, folded): y = x * scale[c] + shift[c]
 * over [n, c, inner], parallel over groups of (n, c) rows; x == y allowed.
 */
#include "ops_internal.h"

typedef struct affine_ctx {
    size_t rows, per_task, c, inner;
    const float *scale, *shift, *x;
    float *y;
} affine_ctx;

/* 16 at a time through a local array: vectorises with x == y allowed. */
static void affine_row(const float *x, float *y, float s, float b, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float t[16];
        for (size_t j = 0; j < 16; j++) t[j] = x[i + j] * s + b;
        for (size_t j = 0; j < 16; j++) y[i + j] = t[j];
    }
    for (; i < n; i++) y[i] = x[i] * s + b;
}

static void affine_task(void *context, size_t index, int thread) {
    (void)thread;
    const affine_ctx *a = context;
    const size_t begin = index * a->per_task;
    const size_t end = begin + a->per_task < a->rows ? begin + a->per_task : a->rows;
    for (size_t r = begin; r < end; r++) {
        const size_t ch = r % a->c;
        affine_row(a->x + r * a->inner, a->y + r * a->inner, a->scale[ch], a->shift[ch], a->inner);
    }
}

void dk_channel_affine_forward(dk_pool *pool, size_t n, size_t c, size_t inner, const float *scale,
                               const float *shift, const float *x, float *y) {
    affine_ctx a = {n * c, 1, c, inner, scale, shift, x, y};
    if (a.rows == 0) return;
    if (inner < DK_OPS_BLOCK) a.per_task = DK_OPS_BLOCK / (inner ? inner : 1);
    dk_pool_for(pool, (a.rows + a.per_task - 1) / a.per_task, affine_task, &a);
}
