/*
 * pad backward: dx (dims) is the crop of dy (dims + pads), one task per
 * (n, c) plane of x, one contiguous copy (or add) per row.
 */
#include "ops_backward_internal.h"

typedef struct padb_ctx {
    const size_t *dims, *pads;
    size_t oc, oh, ow; /* dy's dims */
    const float *dy;
    float *dx;
    int accumulate;
} padb_ctx;

static void padb_plane(void *context, size_t index, int thread) {
    (void)thread;
    const padb_ctx *c = context;
    const size_t *d = c->dims, *p = c->pads;
    const size_t in = index / d[1], ic = index % d[1];
    const float *src = c->dy + (((in + p[0]) * c->oc + (ic + p[1])) * c->oh + p[2]) * c->ow + p[3];
    float *dst = c->dx + index * d[2] * d[3];
    for (size_t r = 0; r < d[2]; r++) dk_opsb_write(dst + r * d[3], src + r * c->ow, d[3], c->accumulate);
}

void dk_pad_backward(dk_pool *pool, const size_t dims[4], const size_t pads[8], const float *dy, float *dx,
                     int accumulate) {
    padb_ctx c = {dims, pads, dims[1] + pads[1] + pads[5], dims[2] + pads[2] + pads[6], dims[3] + pads[3] + pads[7],
                  dy, dx, accumulate};
    if (dims[2] * dims[3] == 0) return;
    dk_pool_for(pool, dims[0] * dims[1], padb_plane, &c);
}
