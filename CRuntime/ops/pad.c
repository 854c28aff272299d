/*
 * Constant padding of an NCHW tensor: pads = (n, c, h, w) begin then end.
 * Every output plane is one task: planes in the n or c padding are filled
 * with the value; the others are filled row by row (top rows, then per input
 * row: left fill, memcpy, right fill, then bottom rows).
 */
#include "ops_internal.h"

#include <string.h>

typedef struct pad_ctx {
    const size_t *dims, *pads;
    size_t on, oc, oh, ow; /* output dims */
    float value;
    const float *x;
    float *y;
} pad_ctx;

static void fill(float *y, float v, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = v;
}

static void pad_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pad_ctx *c = context;
    const size_t *d = c->dims, *p = c->pads;
    const size_t on = index / c->oc, oc = index % c->oc;
    float *y = c->y + index * c->oh * c->ow;
    if (on < p[0] || on >= p[0] + d[0] || oc < p[1] || oc >= p[1] + d[1]) {
        fill(y, c->value, c->oh * c->ow);
        return;
    }
    const float *x = c->x + ((on - p[0]) * d[1] + (oc - p[1])) * d[2] * d[3];
    fill(y, c->value, p[2] * c->ow);
    y += p[2] * c->ow;
    for (size_t r = 0; r < d[2]; r++, y += c->ow) {
        fill(y, c->value, p[3]);
        memcpy(y + p[3], x + r * d[3], d[3] * sizeof(float));
        fill(y + p[3] + d[3], c->value, p[7]);
    }
    fill(y, c->value, p[6] * c->ow);
}

void dk_pad_forward(dk_pool *pool, const size_t dims[4], const size_t pads[8], float value, const float *x,
                    float *y) {
    pad_ctx c = {dims, pads, dims[0] + pads[0] + pads[4], dims[1] + pads[1] + pads[5],
                 dims[2] + pads[2] + pads[6], dims[3] + pads[3] + pads[7], value, x, y};
    if (c.oh * c.ow == 0) return;
    dk_pool_for(pool, c.on * c.oc, pad_plane, &c);
}
