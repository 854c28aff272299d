/*
 * int8 max_pool2d, avg_pool2d and global_avg_pool with pool2d.c's windows
 * and divisors (PyTorch's), parallel over the n * c planes.
 *
 * Max pooling is exact: the window's maximum, clamped (the output keeps the
 * input's quantization). Average pooling sums x - x_zero over the window
 * (padding adds 0) in int32, 256 output columns at a time on the stack, and
 * requantizes with the multiplier of s_x / (s_y * d) for the window's divisor
 * d: the one rule, so the rounding is half away from zero. Divisors differ
 * only at borders; each run of equal divisors is one dk_q8_rows.requant.
 */
#include "int8_internal.h"

#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#define POOL_CHUNK 256

typedef struct pool_ctx {
    const dk_pool2d_params *p;
    const int8_t *x;
    int8_t *y;
    int32_t x_zero;
    double ratio; /* s_x / s_y */
    dk_q8_out out;
    const dk_q8_rows *rows;
} pool_ctx;

/* Output row oh's input rows [*h0, *h1) and the height its divisor counts (PyTorch's). */
static void window_rows(const dk_pool2d_params *p, ptrdiff_t oh, ptrdiff_t *h0, ptrdiff_t *h1, ptrdiff_t *hcount) {
    const ptrdiff_t h = (ptrdiff_t)p->h, hs = oh * (ptrdiff_t)p->sh - (ptrdiff_t)p->pt;
    const ptrdiff_t he = hs + (ptrdiff_t)p->kh < h + (ptrdiff_t)p->pb ? hs + (ptrdiff_t)p->kh : h + (ptrdiff_t)p->pb;
    *h0 = hs > 0 ? hs : 0;
    *h1 = he < h ? he : h;
    *hcount = p->count_include_pad ? he - hs : *h1 - *h0;
}

/*
 * Every tap of input rows [h0, h1) of plane x for output columns [c0, c1):
 * the maximum into ymax (when not NULL), else x - x_zero added to acc; both
 * indexed from c0. The valid columns of each tap are computed once.
 */
static void combine_taps(const dk_pool2d_params *p, const int8_t *x, ptrdiff_t h0, ptrdiff_t h1, ptrdiff_t c0,
                         ptrdiff_t c1, int32_t x_zero, int8_t *ymax, int32_t *acc) {
    const ptrdiff_t w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo, sw = (ptrdiff_t)p->sw;
    for (ptrdiff_t ih = h0; ih < h1; ih++) {
        const int8_t *xrow = x + ih * w;
        for (ptrdiff_t kj = 0; kj < (ptrdiff_t)p->kw; kj++) {
            const ptrdiff_t off = kj - (ptrdiff_t)p->pl;
            ptrdiff_t lo, hi;
            dk_ops_valid_range(off, sw, w, wo, &lo, &hi);
            if (lo < c0) lo = c0;
            if (hi > c1) hi = c1;
            if (ymax != NULL) {
                for (ptrdiff_t ow = lo; ow < hi; ow++) {
                    const int8_t v = xrow[ow * sw + off];
                    if (v > ymax[ow - c0]) ymax[ow - c0] = v;
                }
            } else {
                for (ptrdiff_t ow = lo; ow < hi; ow++) acc[ow - c0] += xrow[ow * sw + off] - x_zero;
            }
        }
    }
}

/*
 * The 2x2, stride-2 windows of input rows r0 and r1 (w bytes each) that lie
 * wholly within the rows, from output column 0: how many outputs it wrote. The
 * general loop (combine_taps) took half of LeNet-5's int8 time at batch 32.
 */
static ptrdiff_t max_2x2_stride2(const int8_t *r0, const int8_t *r1, ptrdiff_t w, ptrdiff_t wo, int8_t *y) {
    ptrdiff_t ow = 0;
#if defined(__x86_64__)
    /* SSE2 has no signed byte maximum: flip to unsigned, pair up as 16-bit words, flip back */
    const __m128i flip = _mm_set1_epi8((char)0x80), low = _mm_set1_epi16(0x00FF);
    for (; ow + 8 <= wo && 2 * ow + 16 <= w; ow += 8) {
        const __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r0 + 2 * ow)), flip);
        const __m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(r1 + 2 * ow)), flip);
        const __m128i v = _mm_max_epu8(a, b);
        const __m128i m = _mm_max_epi16(_mm_and_si128(v, low), _mm_srli_epi16(v, 8));
        _mm_storel_epi64((__m128i *)(y + ow), _mm_xor_si128(_mm_packus_epi16(m, m), flip));
    }
#elif defined(__aarch64__)
    for (; ow + 8 <= wo && 2 * ow + 16 <= w; ow += 8) {
        const int8x8x2_t a = vld2_s8(r0 + 2 * ow), b = vld2_s8(r1 + 2 * ow);
        vst1_s8(y + ow, vmax_s8(vmax_s8(a.val[0], a.val[1]), vmax_s8(b.val[0], b.val[1])));
    }
#endif
    for (; ow < wo && 2 * ow + 2 <= w; ow++) {
        const int8_t top = r0[2 * ow] > r0[2 * ow + 1] ? r0[2 * ow] : r0[2 * ow + 1];
        const int8_t bottom = r1[2 * ow] > r1[2 * ow + 1] ? r1[2 * ow] : r1[2 * ow + 1];
        y[ow] = top > bottom ? top : bottom;
    }
    return ow;
}

static void max_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pool_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t w = (ptrdiff_t)p->w, wo = (ptrdiff_t)p->wo;
    const int8_t *x = c->x + index * p->h * p->w;
    int8_t *y = c->y + index * p->ho * p->wo;
    const int pairs = p->kh == 2 && p->kw == 2 && p->sh == 2 && p->sw == 2 && p->pl == 0;
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        ptrdiff_t h0, h1, hcount;
        window_rows(p, oh, &h0, &h1, &hcount);
        int8_t *yrow = y + oh * wo;
        const ptrdiff_t done = pairs && h1 - h0 == 2 ? max_2x2_stride2(x + h0 * w, x + (h0 + 1) * w, w, wo, yrow) : 0;
        memset(yrow + done, -128, (size_t)(wo - done));
        combine_taps(p, x, h0, h1, done, wo, 0, yrow + done, NULL);
        for (ptrdiff_t ow = 0; ow < wo; ow++) yrow[ow] = (int8_t)dk_q8_clamp(yrow[ow], &c->out);
    }
}

void dk_q8_max_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const int8_t *x, const dk_q8_out *out,
                              int8_t *y) {
    pool_ctx c = {p, x, y, 0, 0.0, *out, NULL};
    dk_pool_for(pool, p->n * p->c, max_plane, &c);
}

/* The divisor's width for output column ow, as PyTorch's avg_pool2d (pool2d.c's border_count). */
static ptrdiff_t width_count(const dk_pool2d_params *p, ptrdiff_t ow) {
    const ptrdiff_t w = (ptrdiff_t)p->w, pr = (ptrdiff_t)p->pr;
    const ptrdiff_t ws = ow * (ptrdiff_t)p->sw - (ptrdiff_t)p->pl;
    const ptrdiff_t we = ws + (ptrdiff_t)p->kw < w + pr ? ws + (ptrdiff_t)p->kw : w + pr;
    if (p->count_include_pad) return we - ws;
    return (we < w ? we : w) - (ws > 0 ? ws : 0);
}

/* The rule's constants for divisor d (the scales were checked: this cannot fail). */
static dk_q8_rq divisor_rq(double ratio, ptrdiff_t d) {
    dk_q8_rq rq = {0, 1, 1};
    (void)dk_q8_rq_from_real(ratio / (double)d, &rq);
    return rq;
}

/* Requantizes acc[0..n) (output columns c0..c0+n of a row with height count hcount), a run per divisor. */
static void requant_runs(const pool_ctx *c, const int32_t *acc, ptrdiff_t c0, ptrdiff_t n, ptrdiff_t hcount,
                         int8_t *y) {
    ptrdiff_t run = 0;
    while (run < n) {
        const ptrdiff_t d = hcount * width_count(c->p, c0 + run);
        ptrdiff_t end = run + 1;
        while (end < n && hcount * width_count(c->p, c0 + end) == d) end++;
        const dk_q8_rq rq = divisor_rq(c->ratio, d);
        c->rows->requant(acc + run, (size_t)(end - run), 0, &rq, &c->out, y + run);
        run = end;
    }
}

static void avg_plane(void *context, size_t index, int thread) {
    (void)thread;
    const pool_ctx *c = context;
    const dk_pool2d_params *p = c->p;
    const ptrdiff_t wo = (ptrdiff_t)p->wo;
    const int8_t *x = c->x + index * p->h * p->w;
    int8_t *y = c->y + index * p->ho * p->wo;
    int32_t acc[POOL_CHUNK];
    for (ptrdiff_t oh = 0; oh < (ptrdiff_t)p->ho; oh++) {
        ptrdiff_t h0, h1, hcount;
        window_rows(p, oh, &h0, &h1, &hcount);
        for (ptrdiff_t c0 = 0; c0 < wo; c0 += POOL_CHUNK) {
            const ptrdiff_t c1 = c0 + POOL_CHUNK < wo ? c0 + POOL_CHUNK : wo;
            memset(acc, 0, (size_t)(c1 - c0) * sizeof(int32_t));
            combine_taps(p, x, h0, h1, c0, c1, c->x_zero, NULL, acc);
            requant_runs(c, acc, c0, c1 - c0, hcount, y + oh * wo + c0);
        }
    }
}

/* The ratio s_x / s_y, if both scales are usable and the largest multiplier (d = 1) exists. */
static int pool_ratio(float x_scale, float y_scale, double *ratio) {
    dk_q8_rq rq;
    if (!(x_scale > 0.0f) || !(y_scale > 0.0f) || !isfinite(x_scale) || !isfinite(y_scale)) return -1;
    *ratio = (double)x_scale / (double)y_scale;
    return dk_q8_rq_from_real(*ratio, &rq);
}

int dk_q8_avg_pool2d_forward(dk_pool *pool, const dk_pool2d_params *p, const int8_t *x, int32_t x_zero,
                             float x_scale, float y_scale, const dk_q8_out *out, int8_t *y) {
    pool_ctx c = {p, x, y, x_zero, 0.0, *out, dk_q8_rows_active()};
    if (pool_ratio(x_scale, y_scale, &c.ratio) != 0 || dk_q8_out_check(out) != 0) return -1;
    if (p->kh == 0 || p->kw > ((size_t)1 << 23) / p->kh) return -1; /* |window sum| < 255 * 2^23 < 2^31 */
    dk_pool_for(pool, p->n * p->c, avg_plane, &c);
    return 0;
}

typedef struct gap_ctx {
    size_t planes, per_task, hw;
    const int8_t *x;
    int8_t *y;
    int32_t x_zero;
    dk_q8_rq rq;
    dk_q8_out out;
} gap_ctx;

static void gap_task(void *context, size_t index, int thread) {
    (void)thread;
    const gap_ctx *c = context;
    const size_t begin = index * c->per_task;
    const size_t end = begin + c->per_task < c->planes ? begin + c->per_task : c->planes;
    for (size_t i = begin; i < end; i++) {
        const int8_t *x = c->x + i * c->hw;
        int32_t s = 0;
        for (size_t j = 0; j < c->hw; j++) s += x[j];
        c->y[i] = dk_q8_requant(s - c->x_zero * (int32_t)c->hw, &c->rq, &c->out);
    }
}

int dk_q8_global_avg_pool_forward(dk_pool *pool, size_t n, size_t c, size_t hw, const int8_t *x, int32_t x_zero,
                                  float x_scale, float y_scale, const dk_q8_out *out, int8_t *y) {
    gap_ctx g = {n * c, 1, hw, x, y, x_zero, {0, 1, 1}, *out};
    double ratio;
    if (hw == 0 || hw >= ((size_t)1 << 23) || pool_ratio(x_scale, y_scale, &ratio) != 0 || dk_q8_out_check(out) != 0)
        return -1;
    if (g.planes == 0) return 0;
    g.rq = divisor_rq(ratio, (ptrdiff_t)hw);
    if (hw < DK_Q8_BLOCK) g.per_task = DK_Q8_BLOCK / hw;
    dk_pool_for(pool, (g.planes + g.per_task - 1) / g.per_task, gap_task, &g);
    return 0;
}
