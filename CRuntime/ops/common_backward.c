/*
 * Helpers shared by the backward kernels (ops_backward_internal.h): the
 * overwrite-or-accumulate copy, per-channel sums (bias gradients) and the
 * ordered reduction of per-task partial weight gradients.
 */
#include "ops_backward_internal.h"

#include <string.h>

void dk_opsb_write(float *dst, const float *src, size_t n, int accumulate) {
    if (!accumulate) {
        if (dst != src) memmove(dst, src, n * sizeof(float));
        return;
    }
    /* 16 at a time through a local array: vectorises with dst == src allowed */
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float t[16];
        for (size_t j = 0; j < 16; j++) t[j] = dst[i + j] + src[i + j];
        for (size_t j = 0; j < 16; j++) dst[i + j] = t[j];
    }
    for (; i < n; i++) dst[i] += src[i];
}

typedef struct write_ctx {
    float *dst;
    const float *src;
    size_t count;
    int accumulate;
} write_ctx;

static void write_task(void *context, size_t index, int thread) {
    (void)thread;
    const write_ctx *c = context;
    const size_t begin = index * DK_OPS_BLOCK;
    const size_t n = c->count - begin < DK_OPS_BLOCK ? c->count - begin : DK_OPS_BLOCK;
    dk_opsb_write(c->dst + begin, c->src + begin, n, c->accumulate);
}

void dk_opsb_write_parallel(dk_pool *pool, float *dst, const float *src, size_t count, int accumulate) {
    if (count == 0 || (dst == src && !accumulate)) return;
    write_ctx c = {dst, src, count, accumulate};
    dk_pool_for(pool, (count + DK_OPS_BLOCK - 1) / DK_OPS_BLOCK, write_task, &c);
}

typedef struct chsum_ctx {
    size_t n, c, inner, per_task;
    const float *dy;
    float *out;
    int accumulate;
} chsum_ctx;

static void chsum_task(void *context, size_t index, int thread) {
    (void)thread;
    const chsum_ctx *s = context;
    const size_t begin = index * s->per_task;
    const size_t end = begin + s->per_task < s->c ? begin + s->per_task : s->c;
    for (size_t ch = begin; ch < end; ch++) {
        double acc = 0.0;
        for (size_t i = 0; i < s->n; i++) acc += (double)dk_ops_sum(s->dy + (i * s->c + ch) * s->inner, s->inner);
        s->out[ch] = s->accumulate ? (float)((double)s->out[ch] + acc) : (float)acc;
    }
}

void dk_opsb_channel_sum(dk_pool *pool, size_t n, size_t c, size_t inner, const float *dy, float *out,
                         int accumulate) {
    if (c == 0) return;
    chsum_ctx s = {n, c, inner, 1, dy, out, accumulate};
    const size_t per_channel = n * inner != 0 ? n * inner : 1;
    if (per_channel < DK_OPS_BLOCK) s.per_task = DK_OPS_BLOCK / per_channel;
    dk_pool_for(pool, (c + s.per_task - 1) / s.per_task, chsum_task, &s);
}

typedef struct reduce_ctx {
    const float *parts;
    size_t count, stride, len;
    float *out;
    int accumulate;
} reduce_ctx;

static void reduce_task(void *context, size_t index, int thread) {
    (void)thread;
    const reduce_ctx *r = context;
    const size_t begin = index * DK_OPS_BLOCK;
    const size_t n = r->len - begin < DK_OPS_BLOCK ? r->len - begin : DK_OPS_BLOCK;
    float *out = r->out + begin;
    if (!r->accumulate) memcpy(out, r->parts + begin, n * sizeof(float));
    for (size_t i = r->accumulate ? 0 : 1; i < r->count; i++) {
        const float *part = r->parts + i * r->stride + begin;
        for (size_t j = 0; j < n; j++) out[j] += part[j];
    }
}

void dk_opsb_reduce_parts(dk_pool *pool, const float *parts, size_t count, size_t stride, size_t len,
                          float *out, int accumulate) {
    if (len == 0 || count == 0) return;
    reduce_ctx r = {parts, count, stride, len, out, accumulate};
    dk_pool_for(pool, (len + DK_OPS_BLOCK - 1) / DK_OPS_BLOCK, reduce_task, &r);
}
