/*
 * im2col (convolution lowering for dk_sgemm) and its adjoint col2im (the
 * scatter of a transposed convolution). Both work row by row: the valid
 * columns of each kernel tap are computed once, so the inner loops are plain
 * copies or adds (contiguous when the stride is 1) with no per-element bounds
 * tests.
 *
 * im2col writes either a plain matrix or, for an implicit-GEMM convolution,
 * the GEMM's B panels directly (dk_sgemm_panels), panel by panel so that the
 * stores of each run one after another. Its row copies are a few dozen
 * floats, where call and loop overhead dominate: with AVX-512 they are one
 * or two 16-lane moves, the last under a mask. With stride 1 and as many
 * output columns as input columns, a tap's row across several output rows is
 * one copy of the shifted plane (FILL_SHIFTED_BODY), as in int8_im2col.c.
 */
#include "ops_internal.h"

#include <string.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#define IM2COL_SSE 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define IM2COL_NEON 1
#endif

/*
 * Inline copies and zeros: im2col rows are short (wo floats, often 7 to 32),
 * where a memcpy or memset call costs more than the work itself (most zero
 * runs, the padding, are 0 to 2 floats). Longer runs call them; the AVX-512
 * path has its own moves for both.
 */
static inline void copy_row(float *restrict d, const float *restrict s, ptrdiff_t n) {
    ptrdiff_t i = 0;
#if defined(IM2COL_SSE)
    for (; i + 8 <= n; i += 8) {
        __m128 a = _mm_loadu_ps(s + i), b = _mm_loadu_ps(s + i + 4);
        _mm_storeu_ps(d + i, a);
        _mm_storeu_ps(d + i + 4, b);
    }
    if (i + 4 <= n) {
        _mm_storeu_ps(d + i, _mm_loadu_ps(s + i));
        i += 4;
    }
#elif defined(IM2COL_NEON)
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vld1q_f32(s + i));
#endif
    for (; i < n; i++) d[i] = s[i];
}

static inline void zero_floats(float *d, ptrdiff_t n) {
    if (n > 64) {
        memset(d, 0, (size_t)n * sizeof(float));
        return;
    }
    ptrdiff_t i = 0;
#if defined(IM2COL_SSE)
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(d + i, _mm_setzero_ps());
#elif defined(IM2COL_NEON)
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vdupq_n_f32(0.0f));
#endif
    for (; i < n; i++) d[i] = 0.0f;
}

static void copy_strided(float *restrict d, const float *restrict s, ptrdiff_t stride, ptrdiff_t n) {
    if (stride == 1) {
        if (n > 64) memcpy(d, s, (size_t)n * sizeof(float));
        else copy_row(d, s, n);
    } else {
        for (ptrdiff_t i = 0; i < n; i++) d[i] = s[i * stride];
    }
}

/* One im2col row (a channel and kernel tap): where it reads, and which outputs lie inside the image. */
typedef struct tap_row {
    const float *x;         /* the channel's plane */
    ptrdiff_t at;           /* output (oh, ow) reads x[at + oh * sh * w + ow * sw] */
    ptrdiff_t oh_lo, oh_hi; /* output rows that read inside the image */
    ptrdiff_t ow_lo, ow_hi; /* output columns that do */
} tap_row;

#define TAP_ROWS 64 /* rows described at a time (on the stack) */

/*
 * n columns of one tap row into d, from output row oh, column a: zeros
 * outside the image, strided copies inside. ZERO(d, n) and COPY(d, s,
 * stride, n) are the row primitives of the instruction set it is compiled for.
 */
#define FILL_ROW_BODY(ZERO, COPY)                                                                          \
    const ptrdiff_t wo = (ptrdiff_t)p->wo, sw = (ptrdiff_t)p->sw, rs = (ptrdiff_t)(p->sh * p->w);         \
    for (ptrdiff_t left = (ptrdiff_t)n; left > 0; oh++, a = 0) {                                          \
        const ptrdiff_t b = a + left < wo ? a + left : wo;                                                \
        /* zeros over [a, lo), the image over [lo, hi), zeros over [hi, b) */                             \
        ptrdiff_t lo = t->ow_lo > a ? t->ow_lo : a, hi = t->ow_hi < b ? t->ow_hi : b;                     \
        if (oh < t->oh_lo || oh >= t->oh_hi || lo >= hi) lo = hi = a;                                     \
        ZERO(d, lo - a);                                                                                  \
        if (hi > lo) COPY(d + (lo - a), t->x + (t->at + oh * rs + lo * sw), sw, hi - lo);                 \
        ZERO(d + (hi - a), b - hi);                                                                       \
        d += b - a;                                                                                       \
        left -= b - a;                                                                                    \
    }

/* d[k - j] = 0 for pixels k in [lo, hi): a wrapped row edge of FILL_SHIFTED_BODY, a float or two */
static inline void zero_span(float *d, ptrdiff_t j, ptrdiff_t lo, ptrdiff_t hi) {
    for (ptrdiff_t k = lo; k < hi; k++) d[k - j] = 0.0f;
}

/* The edges of output row `row` (its pixels outside [row + ow_lo, row + ow_hi)) that lie in [v0, v1). */
static inline void zero_clipped_edges(const tap_row *t, ptrdiff_t wo, ptrdiff_t row, ptrdiff_t j, ptrdiff_t v0,
                                      ptrdiff_t v1, float *d) {
    zero_span(d, j, row > v0 ? row : v0, row + t->ow_lo < v1 ? row + t->ow_lo : v1);
    zero_span(d, j, row + t->ow_hi > v0 ? row + t->ow_hi : v0, row + wo < v1 ? row + wo : v1);
}

/* The columns outside [ow_lo, ow_hi) of the output rows that pixels [v0, v1) span (d holds pixels from j). */
static void zero_row_edges(const tap_row *t, ptrdiff_t wo, ptrdiff_t j, ptrdiff_t v0, ptrdiff_t v1, float *d) {
    ptrdiff_t row = v0 / wo * wo;
    if (row < v0) {
        zero_clipped_edges(t, wo, row, j, v0, v1, d);
        row += wo;
    }
    for (; row + wo <= v1; row += wo) { /* whole rows: no clipping */
        zero_span(d, j, row, row + t->ow_lo);
        zero_span(d, j, row + t->ow_hi, row + wo);
    }
    if (row < v1) zero_clipped_edges(t, wo, row, j, v0, v1, d);
}

/*
 * FILL_ROW_BODY when the stride is 1 and wo == w (a "same" convolution):
 * output pixel j of a valid output row reads x[at + j], so the n columns from
 * pixel j are one copy of the plane shifted by at, across output rows, and
 * then the columns that wrapped around a row edge become zeros. The row-by-row
 * form spent more on its bookkeeping than on copying 8 to 32 floats.
 */
#define FILL_SHIFTED_BODY(ZERO, COPY)                                                                      \
    const ptrdiff_t wo = (ptrdiff_t)p->wo, plane = (ptrdiff_t)(p->h * p->w);                                \
    const ptrdiff_t j = oh * wo + a, end = j + (ptrdiff_t)n;                                               \
    /* pixels of the output rows that read inside the image */                                           \
    const ptrdiff_t v0 = j > t->oh_lo * wo ? j : t->oh_lo * wo;                                            \
    const ptrdiff_t v1 = end < t->oh_hi * wo ? end : t->oh_hi * wo;                                        \
    if (v0 >= v1 || t->ow_lo >= t->ow_hi) {                                                               \
        ZERO(d, (ptrdiff_t)n);                                                                            \
        return;                                                                                           \
    }                                                                                                     \
    ZERO(d, v0 - j);                                                                                      \
    ZERO(d + (v1 - j), end - v1);                                                                         \
    /* clipped to the plane: what lies outside it is a wrapped edge, zeroed below */                     \
    const ptrdiff_t c0 = v0 > -t->at ? v0 : -t->at, c1 = v1 < plane - t->at ? v1 : plane - t->at;        \
    if (c0 < c1) COPY(d + (c0 - j), t->x + (t->at + c0), 1, c1 - c0);                                     \
    if (t->ow_lo > 0 || t->ow_hi < wo) zero_row_edges(t, wo, j, v0, v1, d);

typedef void (*fill_row_fn)(const dk_conv2d_params *p, const tap_row *t, ptrdiff_t oh, ptrdiff_t a, size_t n, float *d);

static void fill_row(const dk_conv2d_params *p, const tap_row *t, ptrdiff_t oh, ptrdiff_t a, size_t n, float *d) {
    FILL_ROW_BODY(zero_floats, copy_strided)
}

static void fill_shifted(const dk_conv2d_params *p, const tap_row *t, ptrdiff_t oh, ptrdiff_t a, size_t n, float *d) {
    FILL_SHIFTED_BODY(zero_floats, copy_strided)
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IM2COL_AVX512 __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))

/* The first n of 16 lanes (none below 1, all from 16 on): rows move 16 floats at a time, the last under a mask. */
IM2COL_AVX512 static inline __mmask16 lanes(ptrdiff_t n) {
    return n <= 0 ? (__mmask16)0 : n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
}

IM2COL_AVX512 static inline void zero_row_avx512(float *d, ptrdiff_t n) {
    for (; n > 0; n -= 16, d += 16) _mm512_mask_storeu_ps(d, lanes(n), _mm512_setzero_ps());
}

IM2COL_AVX512 static inline void copy_strided_avx512(float *restrict d, const float *restrict s, ptrdiff_t stride,
                                                     ptrdiff_t n) {
    if (stride == 2) { /* the even lanes of two loads (a stride-2 stem or downsampling conv) */
        const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
        for (; n > 0; n -= 16, d += 16, s += 32) {
            /* only the 2n - 1 inputs that are used are read */
            const __m512 lo = _mm512_maskz_loadu_ps(lanes(2 * n - 1), s);
            const __m512 hi = _mm512_maskz_loadu_ps(lanes(2 * n - 17), s + 16);
            _mm512_mask_storeu_ps(d, lanes(n), _mm512_permutex2var_ps(lo, even, hi));
        }
        return;
    }
    if (stride != 1) {
        for (ptrdiff_t i = 0; i < n; i++) d[i] = s[i * stride];
        return;
    }
    for (; n > 0; n -= 16, d += 16, s += 16) _mm512_mask_storeu_ps(d, lanes(n), _mm512_maskz_loadu_ps(lanes(n), s));
}

IM2COL_AVX512 static void fill_row_avx512(const dk_conv2d_params *p, const tap_row *t, ptrdiff_t oh, ptrdiff_t a,
                                          size_t n, float *d) {
    FILL_ROW_BODY(zero_row_avx512, copy_strided_avx512)
}

IM2COL_AVX512 static void fill_shifted_avx512(const dk_conv2d_params *p, const tap_row *t, ptrdiff_t oh, ptrdiff_t a,
                                              size_t n, float *d) {
    FILL_SHIFTED_BODY(zero_row_avx512, copy_strided_avx512)
}
#endif

/*
 * The shifted form pays a fixed setup and an edge fix per output row, the
 * row-by-row form its bookkeeping per output row, so the shifted one is used
 * when a panel row spans two output rows or more. On ResNet-20's 3x3 forward
 * convolutions it is 12% faster with AVX-512 on 8-pixel rows (4 a panel row)
 * and 10% with AVX2 (2 a panel row), even with AVX-512 on 16-pixel rows (2 a
 * panel row), and 10% slower on 32-pixel rows (1 a panel row).
 */
static fill_row_fn fill_row_for(const dk_conv2d_params *p, size_t panel_width) {
    const int shifted = p->sh == 1 && p->sw == 1 && p->wo == p->w && panel_width >= 2 * p->wo;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (dk_isa_active() == DK_ISA_AVX512) return shifted ? fill_shifted_avx512 : fill_row_avx512;
#endif
    return shifted ? fill_shifted : fill_row;
}

void dk_ops_im2col_rows(const dk_conv2d_params *p, const float *x, size_t r0, size_t j0, size_t j1,
                        const dk_sgemm_panels *out) {
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w;
    const size_t kh = p->kh, kw = p->kw, taps = kh * kw, n = j1 - j0;
    const fill_row_fn fill = fill_row_for(p, out->nr);
    tap_row rows[TAP_ROWS];
    /* (ci, ki, kj) of row r0 + r, stepped without divisions */
    size_t ci = r0 / taps, ki = r0 % taps / kw, kj = r0 % kw;
    for (size_t r = 0; r < out->kc; r += TAP_ROWS) {
        const size_t count = out->kc - r < TAP_ROWS ? out->kc - r : TAP_ROWS;
        for (size_t i = 0; i < count; i++, kj++) {
            if (kj == kw) {
                kj = 0;
                if (++ki == kh) {
                    ki = 0;
                    ci++;
                }
            }
            /* output row oh reads input row oh * sh + hoff, output column ow input column ow * sw + woff */
            const ptrdiff_t hoff = (ptrdiff_t)(ki * p->dh) - (ptrdiff_t)p->pt;
            const ptrdiff_t woff = (ptrdiff_t)(kj * p->dw) - (ptrdiff_t)p->pl;
            tap_row *t = &rows[i];
            dk_ops_valid_range(hoff, (ptrdiff_t)p->sh, h, (ptrdiff_t)p->ho, &t->oh_lo, &t->oh_hi);
            dk_ops_valid_range(woff, (ptrdiff_t)p->sw, w, (ptrdiff_t)p->wo, &t->ow_lo, &t->ow_hi);
            t->x = x + ci * (size_t)(h * w);
            t->at = hoff * w + woff;
        }
        /* panel by panel, so that each panel's rows are written one after the other */
        ptrdiff_t oh = (ptrdiff_t)(j0 / p->wo), a = (ptrdiff_t)(j0 % p->wo); /* the panel's first output pixel */
        for (size_t q = 0, c = 0; c < n; q++, c += out->nr) {
            const size_t width = n - c < out->nr ? n - c : out->nr;
            for (size_t i = 0; i < count; i++) fill(p, &rows[i], oh, a, width, dk_sgemm_panel_row(out, q, r + i));
            a += (ptrdiff_t)width; /* on to the next panel: wo is often below nr, so step row by row */
            while (a >= (ptrdiff_t)p->wo) {
                a -= (ptrdiff_t)p->wo;
                oh++;
            }
        }
    }
}

void dk_ops_im2col(const dk_conv2d_params *p, const float *x, size_t ci0, size_t ci1, size_t j0, size_t j1,
                   float *col) {
    const size_t taps = p->kh * p->kw, width = j1 - j0;
    /* a plain [rows, width] matrix is one full panel width wide */
    dk_sgemm_panels out = {col + ci0 * taps * width, (ci1 - ci0) * taps, width, 1, 0};
    dk_ops_im2col_rows(p, x, ci0 * taps, j0, j1, &out);
}

void dk_ops_col2im_plane(const dk_conv2d_params *p, const float *col, size_t oc, float bias, float *y) {
    const ptrdiff_t h = (ptrdiff_t)p->h, w = (ptrdiff_t)p->w;
    const ptrdiff_t ho = (ptrdiff_t)p->ho, wo = (ptrdiff_t)p->wo;
    const ptrdiff_t sh = (ptrdiff_t)p->sh, sw = (ptrdiff_t)p->sw;
    const size_t kh = p->kh, kw = p->kw;
    const size_t hw = (size_t)(h * w);
    for (ptrdiff_t i = 0; i < ho * wo; i++) y[i] = bias;
    for (size_t ki = 0; ki < kh; ki++) {
        /* input row ih lands on output row ih * sh + hoff */
        const ptrdiff_t hoff = (ptrdiff_t)(ki * p->dh) - (ptrdiff_t)p->pt;
        ptrdiff_t ih_lo, ih_hi;
        dk_ops_valid_range(hoff, sh, ho, h, &ih_lo, &ih_hi);
        for (size_t kj = 0; kj < kw; kj++) {
            const ptrdiff_t woff = (ptrdiff_t)(kj * p->dw) - (ptrdiff_t)p->pl;
            ptrdiff_t iw_lo, iw_hi;
            dk_ops_valid_range(woff, sw, wo, w, &iw_lo, &iw_hi);
            if (iw_lo >= iw_hi) continue;
            const float *src = col + ((oc * kh + ki) * kw + kj) * hw;
            for (ptrdiff_t ih = ih_lo; ih < ih_hi; ih++) {
                float *row = y + (ih * sh + hoff) * wo;
                dk_ops_add_strided(row + iw_lo * sw + woff, sw, src + ih * w + iw_lo, iw_hi - iw_lo);
            }
        }
    }
}
