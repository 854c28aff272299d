/*
 * The boundaries of an int8 graph: quantize (fp32 -> int8,
 * y = clamp(round_half_even(x / scale) + zero, lo, hi), ONNX QuantizeLinear's
 * rounding, with NaN read as 0) through the ISA's row kernel, and dequantize
 * (int8 -> fp32, y = (x - zero) * scale: an exact integer times the scale,
 * one rounding, so every ISA gives the same bits). Parallel over blocks.
 */
#include "int8_internal.h"

typedef struct quant_ctx {
    const float *xf;
    const int8_t *xq;
    float scale;
    int32_t zero;
    dk_q8_out out;
    float *yf;
    int8_t *yq;
    size_t count;
    const dk_q8_rows *rows;
} quant_ctx;

static size_t block_of(const quant_ctx *c, size_t index, size_t *begin) {
    *begin = index * DK_Q8_BLOCK;
    return c->count - *begin < DK_Q8_BLOCK ? c->count - *begin : DK_Q8_BLOCK;
}

static void quantize_task(void *context, size_t index, int thread) {
    (void)thread;
    const quant_ctx *c = context;
    size_t begin, n = block_of(c, index, &begin);
    c->rows->quantize(c->xf + begin, n, c->scale, &c->out, c->yq + begin);
}

static void dequantize_task(void *context, size_t index, int thread) {
    (void)thread;
    const quant_ctx *c = context;
    size_t begin, n = block_of(c, index, &begin);
    const int8_t *x = c->xq + begin;
    float *y = c->yf + begin;
    for (size_t i = 0; i < n; i++) y[i] = (float)(x[i] - c->zero) * c->scale;
}

void dk_q8_quantize_forward(dk_pool *pool, const float *x, float scale, const dk_q8_out *out, int8_t *y,
                            size_t count) {
    quant_ctx c = {x, NULL, scale, out->zero, *out, NULL, y, count, dk_q8_rows_active()};
    if (count) dk_pool_for(pool, (count + DK_Q8_BLOCK - 1) / DK_Q8_BLOCK, quantize_task, &c);
}

void dk_q8_dequantize_forward(dk_pool *pool, const int8_t *x, dk_q8_param px, float *y, size_t count) {
    const dk_q8_out none = {px.zero, -128, 127};
    quant_ctx c = {NULL, x, px.scale, px.zero, none, y, NULL, count, NULL};
    if (count) dk_pool_for(pool, (count + DK_Q8_BLOCK - 1) / DK_Q8_BLOCK, dequantize_task, &c);
}
