/*
 * softmax backward over the middle axis of [outer, axis, inner], given the
 * forward's output y: dx = y * (dy - sum over the axis of dy * y) (PyTorch's
 * _softmax_backward_data). dx == dy allowed.
 *
 * inner == 1: per contiguous row, one dot product (16 partial sums) and one
 * elementwise pass. inner > 1: columns of up to SOFTMAXB_COLS inner positions
 * together, with the column sums in a stack array, every pass a contiguous
 * loop over a row segment. Parallel over rows or (outer, column block).
 */
#include "ops_backward_internal.h"

#define SOFTMAXB_COLS ((size_t)256)

typedef struct softmaxb_ctx {
    size_t outer, axis, inner, per_task, col_blocks;
    const float *y, *dy;
    float *dx;
    int accumulate;
} softmaxb_ctx;

static float dot(const float *a, const float *b, size_t n) {
    float acc[16] = {0};
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (size_t j = 0; j < 16; j++) acc[j] += a[i + j] * b[i + j];
    float s = 0.0f;
    for (; i < n; i++) s += a[i] * b[i];
    for (size_t j = 0; j < 16; j++) s += acc[j];
    return s;
}

/* dx = or += y * (dy - S) over n values, S = s (one value) or s[i] (per column) */
#define SOFTMAXB_APPLY(S)                                                   \
    do {                                                                    \
        size_t i = 0;                                                       \
        for (; i + 16 <= n; i += 16) {                                      \
            float t[16];                                                    \
            for (size_t j = 0; j < 16; j++) {                               \
                const size_t k = i + j;                                     \
                (void)k;                                                    \
                t[j] = y[k] * (dy[k] - (S));                                \
            }                                                               \
            if (acc)                                                        \
                for (size_t j = 0; j < 16; j++) dx[i + j] += t[j];          \
            else                                                            \
                for (size_t j = 0; j < 16; j++) dx[i + j] = t[j];           \
        }                                                                   \
        for (; i < n; i++) {                                                \
            const size_t k = i;                                             \
            (void)k;                                                        \
            const float t = y[k] * (dy[k] - (S));                           \
            dx[k] = acc ? dx[k] + t : t;                                    \
        }                                                                   \
    } while (0)

static void apply_one(const float *y, const float *dy, float *dx, float s, size_t n, int acc) {
    SOFTMAXB_APPLY(s);
}

static void apply_cols(const float *y, const float *dy, float *dx, const float *s, size_t n, int acc) {
    SOFTMAXB_APPLY(s[k]);
}

static void rows_task(void *context, size_t index, int thread) {
    (void)thread;
    const softmaxb_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->outer ? begin + c->per_task : c->outer;
    for (size_t r = begin; r < end; r++) {
        const size_t at = r * c->axis;
        const float s = dot(c->y + at, c->dy + at, c->axis);
        apply_one(c->y + at, c->dy + at, c->dx + at, s, c->axis, c->accumulate);
    }
}

static void cols_task(void *context, size_t index, int thread) {
    (void)thread;
    const softmaxb_ctx *c = context;
    const size_t o = index / c->col_blocks;
    const size_t i0 = (index % c->col_blocks) * SOFTMAXB_COLS;
    const size_t n = c->inner - i0 < SOFTMAXB_COLS ? c->inner - i0 : SOFTMAXB_COLS;
    const size_t base = o * c->axis * c->inner + i0;
    float s[SOFTMAXB_COLS];
    for (size_t j = 0; j < n; j++) s[j] = 0.0f;
    for (size_t a = 0; a < c->axis; a++) {
        const float *y = c->y + base + a * c->inner, *dy = c->dy + base + a * c->inner;
        for (size_t j = 0; j < n; j++) s[j] += y[j] * dy[j];
    }
    for (size_t a = 0; a < c->axis; a++) {
        const size_t at = base + a * c->inner;
        apply_cols(c->y + at, c->dy + at, c->dx + at, s, n, c->accumulate);
    }
}

void dk_softmax_backward(dk_pool *pool, size_t outer, size_t axis, size_t inner, const float *y,
                         const float *dy, float *dx, int accumulate) {
    if (outer == 0 || axis == 0 || inner == 0) return;
    softmaxb_ctx c = {outer, axis, inner, 1, 1, y, dy, dx, accumulate};
    if (inner == 1) {
        if (axis < DK_OPS_BLOCK) c.per_task = DK_OPS_BLOCK / axis;
        dk_pool_for(pool, (outer + c.per_task - 1) / c.per_task, rows_task, &c);
    } else {
        c.col_blocks = (inner + SOFTMAXB_COLS - 1) / SOFTMAXB_COLS;
        dk_pool_for(pool, outer * c.col_blocks, cols_task, &c);
    }
}
