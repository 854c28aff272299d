/*
 * Constant padding of an NCHW tensor: pads = (n, c, h, w) begin then end.
 * Every output plane is one task: planes in the n or c padding are filled
 * with the value; the others are filled row by row (top rows, then per input
 * row: left fill, memcpy, right fill, then bottom rows). The same planes serve
 * f32 and int8 (whose value is the quantized constant, usually the zero
 * point): only the element size differs.
 */
#include "int8_ops.h"
#include "ops_internal.h"

#include <string.h>

typedef struct pad_ctx {
    const size_t *dims, *pads;
    size_t on, oc, oh, ow; /* output dims */
    size_t size;           /* bytes per element: 4 (f32) or 1 (int8) */
    float f32;
    int8_t i8;
    const uint8_t *x;
    uint8_t *y;
} pad_ctx;

/* n elements of the value, at element offset 0 of y. */
static void fill(const pad_ctx *c, uint8_t *y, size_t n) {
    if (c->size == 1) {
        memset(y, (uint8_t)c->i8, n);
        return;
    }
    float *f = (float *)(void *)y;
    for (size_t i = 0; i < n; i++) f[i] = c->f32;
}

static void pad_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pad_ctx *c = context;
    const size_t *d = c->dims, *p = c->pads;
    const size_t on = index / c->oc, oc = index % c->oc, e = c->size;
    uint8_t *y = c->y + index * c->oh * c->ow * e;
    if (on < p[0] || on >= p[0] + d[0] || oc < p[1] || oc >= p[1] + d[1]) {
        fill(c, y, c->oh * c->ow);
        return;
    }
    const uint8_t *x = c->x + ((on - p[0]) * d[1] + (oc - p[1])) * d[2] * d[3] * e;
    fill(c, y, p[2] * c->ow);
    y += p[2] * c->ow * e;
    for (size_t r = 0; r < d[2]; r++, y += c->ow * e) {
        fill(c, y, p[3]);
        memcpy(y + p[3] * e, x + r * d[3] * e, d[3] * e);
        fill(c, y + (p[3] + d[3]) * e, p[7]);
    }
    fill(c, y, p[6] * c->ow);
}

static void pad_any(dk_pool *pool, const size_t dims[4], const size_t pads[8], size_t size, float f32, int8_t i8,
                    const void *x, void *y) {
    pad_ctx c = {dims, pads, dims[0] + pads[0] + pads[4], dims[1] + pads[1] + pads[5],
                 dims[2] + pads[2] + pads[6], dims[3] + pads[3] + pads[7], size, f32, i8, x, y};
    if (c.oh * c.ow == 0) return;
    dk_pool_for(pool, c.on * c.oc, pad_plane, &c);
}

void dk_pad_forward(dk_pool *pool, const size_t dims[4], const size_t pads[8], float value, const float *x,
                    float *y) {
    pad_any(pool, dims, pads, sizeof(float), value, 0, x, y);
}

void dk_q8_pad_forward(dk_pool *pool, const size_t dims[4], const size_t pads[8], int8_t value, const int8_t *x,
                       int8_t *y) {
    pad_any(pool, dims, pads, 1, 0.0f, value, x, y);
}
