/*
 * Local response normalisation across channels, PyTorch's definition
 * (torch.nn.functional.local_response_norm):
 *   y[c] = x[c] / (k + alpha / size * sum of x[j]^2, j in [c - size/2, c + (size-1)/2])^beta
 * with the window clipped to [0, C) (PyTorch pads with zeros and divides by
 * size either way): size/2 channels before c and (size-1)/2 after.
 *
 * Work is split over (image, block of LRN_COLS spatial positions): per
 * channel the window's squares are summed into a stack array with contiguous
 * loops, then y = x * base^-beta runs through vmath.c's vectorised
 * exp(-beta * log(base)) (per ISA; no libm pow, which does not vectorise).
 */
#include "ops_internal.h"

#define LRN_COLS ((size_t)256)

typedef struct lrn_ctx {
    size_t c, hw, size, col_blocks;
    float alpha, beta, k;
    const float *x;
    float *y;
} lrn_ctx;

static void lrn_task(void *context, size_t index, int thread) {
    (void)thread;
    const lrn_ctx *l = context;
    const size_t img = index / l->col_blocks;
    const size_t i0 = (index % l->col_blocks) * LRN_COLS;
    const size_t n = l->hw - i0 < LRN_COLS ? l->hw - i0 : LRN_COLS;
    const float *x = l->x + img * l->c * l->hw + i0;
    float *y = l->y + img * l->c * l->hw + i0;
    const float scale = l->alpha / (float)l->size;
    const size_t before = l->size / 2, after = (l->size - 1) / 2;
    float b[LRN_COLS];
    for (size_t ch = 0; ch < l->c; ch++) {
        const size_t c0 = ch >= before ? ch - before : 0;
        const size_t c1 = ch + after + 1 < l->c ? ch + after + 1 : l->c;
        for (size_t j = 0; j < n; j++) b[j] = 0.0f;
        for (size_t cc = c0; cc < c1; cc++) {
            const float *xr = x + cc * l->hw;
            for (size_t j = 0; j < n; j++) b[j] += xr[j] * xr[j];
        }
        for (size_t j = 0; j < n; j++) b[j] = l->k + scale * b[j];
        dk_ops_mul_pow(x + ch * l->hw, b, -l->beta, y + ch * l->hw, n);
    }
}

void dk_lrn_forward(dk_pool *pool, size_t n, size_t c, size_t hw, size_t size, float alpha, float beta,
                    float k, const float *x, float *y) {
    if (n == 0 || c == 0 || hw == 0 || size == 0) return;
    lrn_ctx l = {c, hw, size, (hw + LRN_COLS - 1) / LRN_COLS, alpha, beta, k, x, y};
    dk_pool_for(pool, n * l.col_blocks, lrn_task, &l);
}
