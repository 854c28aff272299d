/*
 * int8 add and requantize: the pair form of the rule (q8_requant.h),
 *   y = clamp(zero + rshr((a - za) * m_a + (b - zb) * m_b, shift), lo, hi),
 * over equal shapes (requantize: one input, m_b unused), parallel over
 * blocks of DK_Q8_BLOCK elements. Each block reads an element before it
 * writes it, so a, b or both may be y.
 */
#include "int8_internal.h"

typedef struct add_ctx {
    const int8_t *a, *b;
    int32_t za, zb;
    int8_t *y;
    size_t count;
    dk_q8_rq2 rq;
    dk_q8_out out;
    const dk_q8_rows *rows;
} add_ctx;

static void add_task(void *context, size_t index, int thread) {
    (void)thread;
    const add_ctx *c = context;
    const size_t begin = index * DK_Q8_BLOCK;
    const size_t n = c->count - begin < DK_Q8_BLOCK ? c->count - begin : DK_Q8_BLOCK;
    c->rows->requant2(c->a + begin, c->za, c->b != NULL ? c->b + begin : NULL, c->zb, n, &c->rq, &c->out,
                      c->y + begin);
}

static int param_ok(dk_q8_param p) { return p.scale > 0.0f && isfinite(p.scale) && p.zero >= -128 && p.zero <= 127; }

/* The pair rule for inputs pa (and pb, if b) into (y_scale, out); 0 or -1. */
static int run(dk_pool *pool, const int8_t *a, dk_q8_param pa, const int8_t *b, dk_q8_param pb, int8_t *y,
               float y_scale, const dk_q8_out *out, size_t count) {
    add_ctx c = {a, b, pa.zero, b != NULL ? pb.zero : 0, y, count, {0, 0, 1}, {0, 0, 0}, dk_q8_rows_active()};
    dk_q8_param py = {y_scale, 0};
    if (!param_ok(pa) || (b != NULL && !param_ok(pb)) || !param_ok(py) || dk_q8_out_check(out) != 0) return -1;
    double ma = (double)pa.scale / (double)y_scale, mb = b != NULL ? (double)pb.scale / (double)y_scale : 0.0;
    if (dk_q8_rq2_from_real(ma, mb, &c.rq) != 0) return -1;
    c.out = *out;
    if (count) dk_pool_for(pool, (count + DK_Q8_BLOCK - 1) / DK_Q8_BLOCK, add_task, &c);
    return 0;
}

int dk_q8_add_forward(dk_pool *pool, const int8_t *a, dk_q8_param pa, const int8_t *b, dk_q8_param pb, int8_t *y,
                      float y_scale, const dk_q8_out *out, size_t count) {
    if (b == NULL) return -1;
    return run(pool, a, pa, b, pb, y, y_scale, out, count);
}

int dk_q8_requantize_forward(dk_pool *pool, const int8_t *x, dk_q8_param px, int8_t *y, float y_scale,
                             const dk_q8_out *out, size_t count) {
    const dk_q8_param none = {1.0f, 0};
    return run(pool, x, px, NULL, none, y, y_scale, out, count);
}
