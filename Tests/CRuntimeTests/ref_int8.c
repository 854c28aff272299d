/* Plain references for the int8 kernels (see ref_int8.h). */
#include "ref_int8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int32_t clamp_out(int64_t v, const dk_q8_out *o) { return (int32_t)(v < o->lo ? o->lo : v > o->hi ? o->hi : v); }

int8_t ref_q8_rshr_out(int64_t n, int shift, const dk_q8_out *o) {
    uint64_t a = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    int64_t q = (int64_t)((a + ((uint64_t)1 << (shift - 1))) >> shift);
    return (int8_t)clamp_out((n < 0 ? -q : q) + o->zero, o);
}

int8_t ref_q8_round_real(double v, const dk_q8_out *o) {
    double r = round(v); /* half away from zero */
    if (r > 1e6) r = 1e6;
    if (r < -1e6) r = -1e6;
    return (int8_t)clamp_out((int64_t)r + o->zero, o);
}

int32_t ref_q8_wrap(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* The rule for channel c's accumulator (bias included). */
static int8_t requant_channel(int64_t acc, const dk_q8_quant *q, size_t c) {
    int64_t n = (int64_t)ref_q8_wrap(acc) * (int64_t)q->multiplier[c];
    return ref_q8_rshr_out(n, q->shift[c], &q->out);
}

void ref_q8_gemm(dk_q8_layout layout, size_t channels, size_t k, size_t n, const int8_t *w, size_t ldw,
                 const dk_q8_quant *q, const int8_t *x, size_t ldx, int8_t *y, size_t ldy) {
    for (size_t c = 0; c < channels; c++) {
        for (size_t j = 0; j < n; j++) {
            int64_t acc = q->bias != NULL ? q->bias[c] : 0;
            for (size_t p = 0; p < k; p++) {
                int8_t xv = layout == DK_Q8_WEIGHTS_LEFT ? x[p * ldx + j] : x[j * ldx + p];
                acc += (int64_t)w[c * ldw + p] * (xv - q->x_zero);
            }
            int8_t v = requant_channel(acc, q, c);
            if (layout == DK_Q8_WEIGHTS_LEFT) y[c * ldy + j] = v;
            else y[j * ldy + c] = v;
        }
    }
}

/* sum over the taps of w * (x - zx) for output (img, oc, oh, ow); padding taps add 0. */
static int64_t conv_sum(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, int32_t x_zero, size_t img,
                        size_t oc, size_t oh, size_t ow) {
    const size_t cg = p->c / p->groups, mg = p->m / p->groups, g = oc / mg;
    int64_t s = 0;
    for (size_t ci = 0; ci < cg; ci++) {
        const size_t c = g * cg + ci;
        for (size_t ki = 0; ki < p->kh; ki++) {
            const ptrdiff_t ih = (ptrdiff_t)(oh * p->sh + ki * p->dh) - (ptrdiff_t)p->pt;
            for (size_t kj = 0; kj < p->kw; kj++) {
                const ptrdiff_t iw = (ptrdiff_t)(ow * p->sw + kj * p->dw) - (ptrdiff_t)p->pl;
                if (ih < 0 || iw < 0 || ih >= (ptrdiff_t)p->h || iw >= (ptrdiff_t)p->w) continue;
                const int8_t xv = x[((img * p->c + c) * p->h + (size_t)ih) * p->w + (size_t)iw];
                s += (int64_t)w[((oc * cg + ci) * p->kh + ki) * p->kw + kj] * (xv - x_zero);
            }
        }
    }
    return s;
}

void ref_q8_conv2d(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const dk_q8_quant *q, int8_t *y) {
    for (size_t img = 0; img < p->n; img++)
        for (size_t oc = 0; oc < p->m; oc++)
            for (size_t oh = 0; oh < p->ho; oh++)
                for (size_t ow = 0; ow < p->wo; ow++) {
                    int64_t acc = (q->bias != NULL ? q->bias[oc] : 0) + conv_sum(p, x, w, q->x_zero, img, oc, oh, ow);
                    y[((img * p->m + oc) * p->ho + oh) * p->wo + ow] = requant_channel(acc, q, oc);
                }
}

/* Every input tap scattered into an int64 accumulator image per (image, output channel), then the rule. */
void ref_q8_conv_transpose2d(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const dk_q8_quant *q,
                             int8_t *y) {
    const size_t plane = p->ho * p->wo;
    int64_t *acc = malloc(plane * sizeof *acc);
    if (acc == NULL) abort();
    for (size_t img = 0; img < p->n; img++)
        for (size_t oc = 0; oc < p->m; oc++) {
            for (size_t i = 0; i < plane; i++) acc[i] = q->bias != NULL ? q->bias[oc] : 0;
            for (size_t ci = 0; ci < p->c; ci++)
                for (size_t iy = 0; iy < p->h; iy++)
                    for (size_t ix = 0; ix < p->w; ix++) {
                        const int64_t xv = x[((img * p->c + ci) * p->h + iy) * p->w + ix] - q->x_zero;
                        for (size_t ky = 0; ky < p->kh; ky++)
                            for (size_t kx = 0; kx < p->kw; kx++) {
                                const ptrdiff_t oy = (ptrdiff_t)(iy * p->sh + ky * p->dh) - (ptrdiff_t)p->pt;
                                const ptrdiff_t ox = (ptrdiff_t)(ix * p->sw + kx * p->dw) - (ptrdiff_t)p->pl;
                                if (oy < 0 || ox < 0 || oy >= (ptrdiff_t)p->ho || ox >= (ptrdiff_t)p->wo) continue;
                                acc[(size_t)oy * p->wo + (size_t)ox] += w[((ci * p->m + oc) * p->kh + ky) * p->kw + kx] * xv;
                            }
                    }
            for (size_t i = 0; i < plane; i++) y[(img * p->m + oc) * plane + i] = requant_channel(acc[i], q, oc);
        }
    free(acc);
}

void ref_q8_conv2d_real(const dk_conv2d_params *p, const int8_t *x, const int8_t *w, const int32_t *bias,
                        int32_t x_zero, double x_scale, const double *w_scale, double y_scale, double *y) {
    const size_t cg = p->c / p->groups, mg = p->m / p->groups;
    for (size_t img = 0; img < p->n; img++)
        for (size_t oc = 0; oc < p->m; oc++)
            for (size_t oh = 0; oh < p->ho; oh++)
                for (size_t ow = 0; ow < p->wo; ow++) {
                    /* dequantized weights and inputs, real bias, as a float model would compute */
                    double s = bias != NULL ? x_scale * w_scale[oc] * bias[oc] : 0.0;
                    for (size_t ci = 0; ci < cg; ci++) {
                        const size_t c = (oc / mg) * cg + ci;
                        for (size_t ki = 0; ki < p->kh; ki++) {
                            const ptrdiff_t ih = (ptrdiff_t)(oh * p->sh + ki * p->dh) - (ptrdiff_t)p->pt;
                            for (size_t kj = 0; kj < p->kw; kj++) {
                                const ptrdiff_t iw = (ptrdiff_t)(ow * p->sw + kj * p->dw) - (ptrdiff_t)p->pl;
                                if (ih < 0 || iw < 0 || ih >= (ptrdiff_t)p->h || iw >= (ptrdiff_t)p->w) continue;
                                double xr = x_scale * (x[((img * p->c + c) * p->h + (size_t)ih) * p->w + (size_t)iw] -
                                                       x_zero);
                                double wr = w_scale[oc] * w[((oc * cg + ci) * p->kh + ki) * p->kw + kj];
                                s += xr * wr;
                            }
                        }
                    }
                    y[((img * p->m + oc) * p->ho + oh) * p->wo + ow] = s / y_scale;
                }
}

/* The window of output (oh, ow) clipped to the input, and PyTorch's avg divisor. */
static void window(const dk_pool2d_params *p, size_t oh, size_t ow, ptrdiff_t *h0, ptrdiff_t *h1, ptrdiff_t *w0,
                   ptrdiff_t *w1, ptrdiff_t *divisor) {
    const ptrdiff_t hs = (ptrdiff_t)(oh * p->sh) - (ptrdiff_t)p->pt, ws = (ptrdiff_t)(ow * p->sw) - (ptrdiff_t)p->pl;
    ptrdiff_t he = hs + (ptrdiff_t)p->kh, we = ws + (ptrdiff_t)p->kw;
    if (he > (ptrdiff_t)(p->h + p->pb)) he = (ptrdiff_t)(p->h + p->pb);
    if (we > (ptrdiff_t)(p->w + p->pr)) we = (ptrdiff_t)(p->w + p->pr);
    const ptrdiff_t padded = (he - hs) * (we - ws);
    *h0 = hs < 0 ? 0 : hs;
    *w0 = ws < 0 ? 0 : ws;
    *h1 = he > (ptrdiff_t)p->h ? (ptrdiff_t)p->h : he;
    *w1 = we > (ptrdiff_t)p->w ? (ptrdiff_t)p->w : we;
    *divisor = p->count_include_pad ? padded : (*h1 - *h0) * (*w1 - *w0);
}

void ref_q8_max_pool2d(const dk_pool2d_params *p, const int8_t *x, const dk_q8_out *o, int8_t *y) {
    for (size_t pl = 0; pl < p->n * p->c; pl++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                ptrdiff_t h0, h1, w0, w1, d;
                window(p, oh, ow, &h0, &h1, &w0, &w1, &d);
                int m = -1000;
                for (ptrdiff_t i = h0; i < h1; i++)
                    for (ptrdiff_t j = w0; j < w1; j++) {
                        int v = x[(pl * p->h + (size_t)i) * p->w + (size_t)j];
                        if (v > m) m = v;
                    }
                y[(pl * p->ho + oh) * p->wo + ow] = (int8_t)clamp_out(m, o);
            }
}

void ref_q8_avg_pool2d(const dk_pool2d_params *p, const int8_t *x, int32_t x_zero, float x_scale, float y_scale,
                       const dk_q8_out *o, int8_t *y, double *real) {
    for (size_t pl = 0; pl < p->n * p->c; pl++)
        for (size_t oh = 0; oh < p->ho; oh++)
            for (size_t ow = 0; ow < p->wo; ow++) {
                ptrdiff_t h0, h1, w0, w1, d;
                window(p, oh, ow, &h0, &h1, &w0, &w1, &d);
                int64_t s = 0;
                for (ptrdiff_t i = h0; i < h1; i++)
                    for (ptrdiff_t j = w0; j < w1; j++) s += x[(pl * p->h + (size_t)i) * p->w + (size_t)j] - x_zero;
                int32_t mult = 0, shift = 1;
                (void)dk_q8_multiplier((double)x_scale / ((double)y_scale * (double)d), &mult, &shift);
                const size_t at = (pl * p->ho + oh) * p->wo + ow;
                y[at] = ref_q8_rshr_out(s * mult, shift, o);
                if (real != NULL) real[at] = (double)s * x_scale / ((double)y_scale * (double)d);
            }
}

void ref_q8_add(const int8_t *a, dk_q8_param pa, const int8_t *b, dk_q8_param pb, float y_scale, const dk_q8_out *o,
                size_t count, int8_t *y, double *real) {
    dk_q8_rq2 rq;
    const double ma = (double)pa.scale / y_scale, mb = b != NULL ? (double)pb.scale / y_scale : 0.0;
    (void)dk_q8_rq2_from_real(ma, mb, &rq);
    for (size_t i = 0; i < count; i++) {
        int64_t n = (int64_t)(a[i] - pa.zero) * rq.mult_a;
        if (b != NULL) n += (int64_t)(b[i] - pb.zero) * rq.mult_b;
        y[i] = ref_q8_rshr_out(n, rq.shift, o);
        if (real != NULL) real[i] = (a[i] - pa.zero) * ma + (b != NULL ? (b[i] - pb.zero) * mb : 0.0);
    }
}

void ref_q8_quantize(const float *x, float scale, const dk_q8_out *o, size_t count, int8_t *y) {
    for (size_t i = 0; i < count; i++) {
        float q = x[i] / scale;
        if (isnan(q)) {
            y[i] = (int8_t)clamp_out(o->zero, o);
            continue;
        }
        double r = isinf(q) ? (q > 0 ? 1e6 : -1e6) : nearbyint((double)q);
        if (r > 1e6) r = 1e6;
        if (r < -1e6) r = -1e6;
        y[i] = (int8_t)clamp_out((int64_t)r + o->zero, o);
    }
}
