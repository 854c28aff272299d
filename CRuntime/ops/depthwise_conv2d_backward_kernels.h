/*
 * The depthwise backward loops (see depthwise_conv2d_backward.c), instantiated
 * once per ISA by that file with
 *   DK_DWB_ATTR     the function attributes (a target() or nothing)
 *   DK_DWB_NAME(f)  the per-ISA name of f
 * so that the compiler vectorises the same portable loops for SSE2 / NEON,
 * AVX2 + FMA and AVX-512 (target attributes rather than per-file flags, so
 * SwiftPM builds them too).
 */

/*
 * sum over r < rows, i < n of a[r * lda + i] * b[r * ldb + i * stride],
 * with 16 partial sums kept across the rows (vectorises without reassociation).
 */
DK_DWB_ATTR static float DK_DWB_NAME(dot_rows)(const float *restrict a, ptrdiff_t lda, const float *restrict b, ptrdiff_t ldb,
                      ptrdiff_t stride, ptrdiff_t rows, ptrdiff_t n) {
    float acc[16] = {0};
    float tail = 0.0f;
    for (ptrdiff_t r = 0; r < rows; r++, a += lda, b += ldb) {
        ptrdiff_t i = 0;
        if (stride == 1) {
            for (; i + 16 <= n; i += 16)
                for (ptrdiff_t j = 0; j < 16; j++) acc[j] += a[i + j] * b[i + j];
        } else {
            for (; i + 16 <= n; i += 16)
                for (ptrdiff_t j = 0; j < 16; j++) acc[j] += a[i + j] * b[(i + j) * stride];
        }
        for (; i < n; i++) tail += a[i] * b[i * stride];
    }
    for (int j = 0; j < 16; j++) tail += acc[j];
    return tail;
}

/* d[i * stride] += k * s[i] */
DK_DWB_ATTR static void DK_DWB_NAME(axpy_scatter)(float *restrict d, ptrdiff_t stride, float k, const float *restrict s, ptrdiff_t n) {
    if (stride == 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] += k * s[i];
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i * stride] += k * s[i];
    }
}

DK_DWB_ATTR static void DK_DWB_NAME(channel)(void *context, size_t ci, int thread) {
    (void)thread;
    const dwb_ctx *c = context;
    const dk_conv2d_params *p = c->p;
    const size_t mult = p->m / p->c, taps = p->kh * p->kw, hw = p->h * p->w, plane = p->ho * p->wo;
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w, ho = (ptrdiff_t)p->ho, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sh = (ptrdiff_t)p->sh, sw = (ptrdiff_t)p->sw, kw = (ptrdiff_t)p->kw;
    float *dwc = c->dw ? c->dw + ci * mult * taps : NULL;
    if (dwc && !c->accumulate) memset(dwc, 0, mult * taps * sizeof(float));
    for (size_t img = 0; img < p->n; img++) {
        const float *xp = dwc ? c->x + (img * p->c + ci) * hw : NULL;
        float *dxp = c->dx ? c->dx + (img * p->c + ci) * hw : NULL;
        if (dxp && !c->accumulate) memset(dxp, 0, hw * sizeof(float));
        for (ptrdiff_t ki = 0; ki < (ptrdiff_t)p->kh; ki++) {
            /* output rows oh in [oh_lo, oh_hi) read input row oh * sh + hoff */
            const ptrdiff_t hoff = ki * (ptrdiff_t)p->dh - (ptrdiff_t)p->pt;
            ptrdiff_t oh_lo, oh_hi;
            dk_ops_valid_range(hoff, sh, h, ho, &oh_lo, &oh_hi);
            if (oh_hi <= oh_lo) continue;
            for (ptrdiff_t kj = 0; kj < kw; kj++) {
                const ptrdiff_t woff = kj * (ptrdiff_t)p->dw - (ptrdiff_t)p->pl;
                ptrdiff_t lo, hi;
                dk_ops_valid_range(woff, sw, w, wo, &lo, &hi);
                if (hi <= lo) continue;
                /* input index of output (oh_lo, lo) under this tap */
                const ptrdiff_t at = (oh_lo * sh + hoff) * w + lo * sw + woff;
                for (size_t j = 0; j < mult; j++) {
                    const size_t oc = ci * mult + j;
                    const float *dyp = c->dy + (img * p->m + oc) * plane + oh_lo * wo + lo;
                    if (dwc)
                        dwc[j * taps + (size_t)(ki * kw + kj)] +=
                            DK_DWB_NAME(dot_rows)(dyp, wo, xp + at, sh * w, sw, oh_hi - oh_lo, hi - lo);
                    if (dxp) {
                        const float k = c->w[oc * taps + (size_t)(ki * kw + kj)];
                        for (ptrdiff_t oh = 0; oh < oh_hi - oh_lo; oh++)
                            DK_DWB_NAME(axpy_scatter)(dxp + at + oh * sh * w, sw, k, dyp + oh * wo, hi - lo);
                    }
                }
            }
        }
    }
}
