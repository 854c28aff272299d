/*
 * Depthwise convolution plane kernel for aarch64 Advanced SIMD, on an
 * unpadded geometry (every tap of every output inside the plane; see
 * depthwise_conv2d.h). Each output row is cut into blocks of 4 columns with
 * the kh * kw taps accumulated in registers: stride 1 uses plain loads (four
 * blocks at a time while they last), stride 2 vld2q's deinterleaving load
 * (while its 8th float stays inside the row). The remaining columns, and
 * larger strides, use dk_dw_point.
 */
#include "depthwise_conv2d.h"

#if defined(__aarch64__)
#include <arm_neon.h>

void dk_dw_plane_neon(const dk_dw_geom *g, const float *x, const float *k, float bias, float *y) {
    const ptrdiff_t w = g->w, wo = g->wo, sw = g->sw, kw = g->kw;
    const float32x4_t vb = vdupq_n_f32(bias);
    /* stride 2 reads 8 floats per 4 outputs from 2 * ow + kj * dw: the last one must exist */
    const ptrdiff_t last_tap = (kw - 1) * g->dw;
    for (ptrdiff_t oh = 0; oh < g->ho; oh++) {
        const float *xr = x + oh * g->sh * w;
        float *yr = y + oh * wo;
        ptrdiff_t ow = 0;
        if (sw == 1) {
            for (; ow + 16 <= wo; ow += 16) {
                float32x4_t a0 = vb, a1 = vb, a2 = vb, a3 = vb;
                const float *s = xr + ow, *kr = k;
                for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * w, kr += kw)
                    for (ptrdiff_t kj = 0; kj < kw; kj++) {
                        const float *t = s + kj * g->dw;
                        const float32x4_t wv = vdupq_n_f32(kr[kj]);
                        a0 = vfmaq_f32(a0, vld1q_f32(t), wv);
                        a1 = vfmaq_f32(a1, vld1q_f32(t + 4), wv);
                        a2 = vfmaq_f32(a2, vld1q_f32(t + 8), wv);
                        a3 = vfmaq_f32(a3, vld1q_f32(t + 12), wv);
                    }
                vst1q_f32(yr + ow, a0);
                vst1q_f32(yr + ow + 4, a1);
                vst1q_f32(yr + ow + 8, a2);
                vst1q_f32(yr + ow + 12, a3);
            }
            for (; ow + 4 <= wo; ow += 4) {
                float32x4_t a0 = vb;
                const float *s = xr + ow, *kr = k;
                for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * w, kr += kw)
                    for (ptrdiff_t kj = 0; kj < kw; kj++)
                        a0 = vfmaq_f32(a0, vld1q_f32(s + kj * g->dw), vdupq_n_f32(kr[kj]));
                vst1q_f32(yr + ow, a0);
            }
        } else if (sw == 2) {
            for (; ow + 4 <= wo && 2 * ow + last_tap + 7 < w; ow += 4) {
                float32x4_t a0 = vb;
                const float *s = xr + 2 * ow, *kr = k;
                for (ptrdiff_t ki = 0; ki < g->kh; ki++, s += g->dh * w, kr += kw)
                    for (ptrdiff_t kj = 0; kj < kw; kj++)
                        a0 = vfmaq_f32(a0, vld2q_f32(s + kj * g->dw).val[0], vdupq_n_f32(kr[kj]));
                vst1q_f32(yr + ow, a0);
            }
        }
        for (; ow < wo; ow++) yr[ow] = dk_dw_point(g, x, k, bias, oh, ow);
    }
}
#else
typedef int dk_depthwise_neon_unused; /* ISO C forbids an empty translation unit */
#endif
