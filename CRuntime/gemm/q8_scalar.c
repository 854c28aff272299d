/*
 * Portable int8 kernels: the reference every SIMD path must match bit for
 * bit. The GEMM tile is up to 4 x 8, one k value per group (panels are
 * plain k-major int8); sums wrap modulo 2^32 in uint32 arithmetic, as the
 * SIMD adds do. Requantization is q8_requant.h's, element by element.
 */
#include <math.h>

#include "igemm_kernels.h"

#define MR 4
#define NR 8

static void kernel_scalar(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c, size_t ldc,
                          const dk_q8_tile *t) {
    const int8_t *ap = a, *bp = b;
    uint32_t acc[MR][NR];
    for (size_t i = 0; i < MR; i++)
        for (size_t j = 0; j < NR; j++) acc[i][j] = 0;
    for (size_t p = 0; p < kgroups; p++, ap += h, bp += nr) {
        for (size_t i = 0; i < h; i++) {
            const int32_t ai = ap[i];
            for (size_t j = 0; j < nr; j++) acc[i][j] += (uint32_t)(ai * bp[j]);
        }
    }
    for (size_t i = 0; i < h; i++) {
        for (size_t j = 0; j < nr; j++) {
            const size_t ch = t->chan_cols ? j : i;
            const dk_q8_rq rq = {t->mult[ch], t->shift[ch], t->limit[ch]};
            c[i * ldc + j] = dk_q8_requant(dk_q8_wrap_add((int32_t)acc[i][j], t->bias[ch]), &rq, &t->out);
        }
    }
}

const dk_q8_cfg dk_q8_cfg_scalar = {
    .id = DK_Q8_CFG_SCALAR, .mr = MR, .nr = NR, .vl = 1, .kg = 1, .esize = 1, .act_offset = 0,
    .kernel = kernel_scalar,
};

/* ---- rows ---------------------------------------------------------------------- */

static void requant_scalar(const int32_t *acc, size_t n, int32_t bias, const dk_q8_rq *rq, const dk_q8_out *o,
                           int8_t *y) {
    for (size_t i = 0; i < n; i++) y[i] = dk_q8_requant(dk_q8_wrap_add(acc[i], bias), rq, o);
}

/* Any geometry: 256 outputs of a row at a time, tap by tap into a stack accumulator. */
static void dw_plane_scalar(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, int32_t bias,
                            const dk_q8_rq *rq, const dk_q8_out *o, int8_t *y) {
    int32_t acc[256];
    for (size_t oh = 0; oh < g->ho; oh++, y += g->wo) {
        for (size_t c0 = 0; c0 < g->wo; c0 += 256) {
            const size_t n = g->wo - c0 < 256 ? g->wo - c0 : 256;
            for (size_t i = 0; i < n; i++) acc[i] = bias;
            for (size_t ki = 0; ki < g->kh; ki++) {
                for (size_t kj = 0; kj < g->kw; kj++) {
                    const int16_t *src = d + (oh * g->sh + ki * g->dh) * g->pitch + c0 * g->sw + kj * g->dw;
                    const int32_t wk = w[ki * g->kw + kj];
                    for (size_t i = 0; i < n; i++) acc[i] = dk_q8_wrap_add(acc[i], wk * src[i * g->sw]);
                }
            }
            requant_scalar(acc, n, 0, rq, o, y + c0);
        }
    }
}

static void widen_scalar(const int8_t *x, size_t n, int32_t z, int16_t *d) {
    for (size_t i = 0; i < n; i++) d[i] = (int16_t)(x[i] - z);
}

static void requant2_scalar(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, size_t n, const dk_q8_rq2 *rq,
                            const dk_q8_out *o, int8_t *y) {
    for (size_t i = 0; i < n; i++) y[i] = dk_q8_requant2(a[i] - za, b != NULL ? b[i] - zb : 0, rq, o);
}

/*
 * round_half_even(q) for |q| <= 1024, without the floating-point
 * environment (the SIMD paths round with an explicit mode, so must this):
 * q - trunc(q) is exact.
 */
static int32_t round_half_even(float q) {
    const float t = truncf(q), f = fabsf(q - t);
    int32_t r = (int32_t)t;
    if (f > 0.5f || (f == 0.5f && (r & 1) != 0)) r += q < 0.0f ? -1 : 1;
    return r;
}

static void quantize_scalar(const float *x, size_t n, float scale, const dk_q8_out *o, int8_t *y) {
    for (size_t i = 0; i < n; i++) {
        float q = x[i] / scale;
        if (q != q) q = 0.0f;
        /* beyond +-1024 every value saturates the clamp anyway */
        q = q < -1024.0f ? -1024.0f : q > 1024.0f ? 1024.0f : q;
        y[i] = (int8_t)dk_q8_clamp(round_half_even(q) + o->zero, o);
    }
}

const dk_q8_rows dk_q8_rows_scalar = {
    .requant = requant_scalar, .dw_plane = dw_plane_scalar, .requant2 = requant2_scalar, .quantize = quantize_scalar,
    .widen = widen_scalar, .dw_block = 1,
};
