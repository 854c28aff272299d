/*
 * int8 concat along one axis, each input seen as [outer, axis_i, inner] with
 * its own scale and zero point: every (outer index, input) pair is one
 * contiguous run, requantized to the output's scale and zero point by the
 * pair rule with one input (dk_q8_rows.requant2), or copied when the input
 * already has them and the clamp is the full range (the rule would give the
 * same bytes: (x - z) * 2^s / 2^s + z = x). Parallel over outer rows when
 * the rows are small.
 */
#include "int8_internal.h"

#include <string.h>

typedef struct concat_ctx {
    size_t count, outer, inner, total, per_task;
    const int8_t *const *inputs;
    const dk_q8_param *params;
    const size_t *axis_sizes;
    const dk_q8_rq2 *rq; /* per input */
    const uint8_t *copy; /* per input: a plain copy */
    dk_q8_out out;
    int8_t *y;
    const dk_q8_rows *rows;
} concat_ctx;

static void concat_task(void *context, size_t index, int thread) {
    (void)thread;
    const concat_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->outer ? begin + c->per_task : c->outer;
    for (size_t o = begin; o < end; o++) {
        int8_t *dst = c->y + o * c->total * c->inner;
        for (size_t i = 0; i < c->count; i++) {
            const size_t len = c->axis_sizes[i] * c->inner;
            const int8_t *src = c->inputs[i] + o * len;
            if (len == 0) continue;
            if (c->copy[i]) memcpy(dst, src, len);
            else c->rows->requant2(src, c->params[i].zero, NULL, 0, len, &c->rq[i], &c->out, dst);
            dst += len;
        }
    }
}

/* At most this many inputs: the format's cap on a node's inputs. */
#define CONCAT_MAX_INPUTS 64

int dk_q8_concat_forward(dk_pool *pool, size_t count, const int8_t *const *inputs, const dk_q8_param *params,
                         const size_t *axis_sizes, size_t outer, size_t inner, int8_t *y, float y_scale,
                         const dk_q8_out *out) {
    dk_q8_rq2 rq[CONCAT_MAX_INPUTS];
    uint8_t copy[CONCAT_MAX_INPUTS];
    if (count > CONCAT_MAX_INPUTS || dk_q8_out_check(out) != 0 || !(y_scale > 0.0f) || !isfinite(y_scale)) return -1;
    size_t total = 0;
    for (size_t i = 0; i < count; i++) {
        const dk_q8_param pi = params[i];
        if (!(pi.scale > 0.0f) || !isfinite(pi.scale) || pi.zero < -128 || pi.zero > 127) return -1;
        if (dk_q8_rq2_from_real((double)pi.scale / (double)y_scale, 0.0, &rq[i]) != 0) return -1;
        copy[i] = pi.scale == y_scale && pi.zero == out->zero && out->lo == -128 && out->hi == 127;
        total += axis_sizes[i];
    }
    if (outer == 0 || total == 0 || inner == 0) return 0;
    concat_ctx c = {count, outer, inner, total, 1, inputs, params, axis_sizes, rq, copy, *out, y, dk_q8_rows_active()};
    const size_t row = total * inner;
    if (row < DK_Q8_BLOCK) c.per_task = DK_Q8_BLOCK / row;
    dk_pool_for(pool, (outer + c.per_task - 1) / c.per_task, concat_task, &c);
    return 0;
}
