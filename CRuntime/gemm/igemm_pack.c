/*
 * Packing for the int8 GEMM (layouts in igemm_kernels.h): one panel of
 * rows or columns into [kp / kg][width][kg] elements. Weights are packed
 * once per session; activations on every call, where the im2col case
 * (src_kmajor: kg rows of the source become one group) matters most, so it
 * interleaves 16 columns at a time with SSE2 / NEON byte and word unpacks
 * (a last partial 16 through a padded copy). Everything else (partial k
 * groups, the k-contiguous case) goes element by element.
 */
#include "igemm_kernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#define Q8_PACK_SSE2 1
#elif defined(__aarch64__)
#include <arm_neon.h>
#define Q8_PACK_NEON 1
#endif

/* Element (p, j) of the source, plus offset; 0 past k. */
static inline int32_t source_at(int src_kmajor, const int8_t *src, size_t ld, size_t k, size_t p, size_t j,
                                int offset) {
    if (p >= k) return 0;
    return (int32_t)(src_kmajor ? src[p * ld + j] : src[j * ld + p]) + offset;
}

/*
 * Columns [0, n16) of one full group (kg source rows at `rows`, ld apart)
 * from a k-major source, n16 a multiple of 16. Returns how many columns it
 * did (0 when this layout has no fast path here).
 */
static size_t pack_group_kmajor(const dk_q8_cfg *cfg, const int8_t *rows, size_t ld, size_t n16, int offset,
                                void *dst) {
    size_t j = 0;
#if defined(Q8_PACK_SSE2)
    const __m128i flip = _mm_set1_epi8((char)(offset == 128 ? 0x80 : 0));
    if (cfg->kg == 4 && cfg->esize == 1 && (offset == 0 || offset == 128)) {
        uint8_t *d = dst;
        for (; j < n16; j += 16) {
            __m128i r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + j)), flip);
            __m128i r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + ld + j)), flip);
            __m128i r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + 2 * ld + j)), flip);
            __m128i r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(rows + 3 * ld + j)), flip);
            __m128i t0 = _mm_unpacklo_epi8(r0, r1), t1 = _mm_unpackhi_epi8(r0, r1);
            __m128i t2 = _mm_unpacklo_epi8(r2, r3), t3 = _mm_unpackhi_epi8(r2, r3);
            _mm_storeu_si128((__m128i *)(d + 4 * j), _mm_unpacklo_epi16(t0, t2));
            _mm_storeu_si128((__m128i *)(d + 4 * j + 16), _mm_unpackhi_epi16(t0, t2));
            _mm_storeu_si128((__m128i *)(d + 4 * j + 32), _mm_unpacklo_epi16(t1, t3));
            _mm_storeu_si128((__m128i *)(d + 4 * j + 48), _mm_unpackhi_epi16(t1, t3));
        }
    } else if (cfg->kg == 2 && cfg->esize == 2 && offset == 0) {
        int16_t *d = dst;
        for (; j < n16; j += 16) {
            __m128i r0 = _mm_loadu_si128((const __m128i *)(rows + j));
            __m128i r1 = _mm_loadu_si128((const __m128i *)(rows + ld + j));
            /* sign-extend bytes to words: (b << 8 | b) >> 8, arithmetic */
            __m128i a0 = _mm_srai_epi16(_mm_unpacklo_epi8(r0, r0), 8), a1 = _mm_srai_epi16(_mm_unpackhi_epi8(r0, r0), 8);
            __m128i b0 = _mm_srai_epi16(_mm_unpacklo_epi8(r1, r1), 8), b1 = _mm_srai_epi16(_mm_unpackhi_epi8(r1, r1), 8);
            _mm_storeu_si128((__m128i *)(d + 2 * j), _mm_unpacklo_epi16(a0, b0));
            _mm_storeu_si128((__m128i *)(d + 2 * j + 8), _mm_unpackhi_epi16(a0, b0));
            _mm_storeu_si128((__m128i *)(d + 2 * j + 16), _mm_unpacklo_epi16(a1, b1));
            _mm_storeu_si128((__m128i *)(d + 2 * j + 24), _mm_unpackhi_epi16(a1, b1));
        }
    }
#elif defined(Q8_PACK_NEON)
    const uint8x16_t flip = vdupq_n_u8(offset == 128 ? 0x80 : 0);
    if (cfg->kg == 4 && cfg->esize == 1 && (offset == 0 || offset == 128)) {
        uint8_t *d = dst;
        for (; j < n16; j += 16) {
            uint8x16_t r0 = veorq_u8(vld1q_u8((const uint8_t *)rows + j), flip);
            uint8x16_t r1 = veorq_u8(vld1q_u8((const uint8_t *)rows + ld + j), flip);
            uint8x16_t r2 = veorq_u8(vld1q_u8((const uint8_t *)rows + 2 * ld + j), flip);
            uint8x16_t r3 = veorq_u8(vld1q_u8((const uint8_t *)rows + 3 * ld + j), flip);
            uint8x16x2_t t01 = vzipq_u8(r0, r1), t23 = vzipq_u8(r2, r3);
            uint16x8x2_t u0 = vzipq_u16(vreinterpretq_u16_u8(t01.val[0]), vreinterpretq_u16_u8(t23.val[0]));
            uint16x8x2_t u1 = vzipq_u16(vreinterpretq_u16_u8(t01.val[1]), vreinterpretq_u16_u8(t23.val[1]));
            vst1q_u8(d + 4 * j, vreinterpretq_u8_u16(u0.val[0]));
            vst1q_u8(d + 4 * j + 16, vreinterpretq_u8_u16(u0.val[1]));
            vst1q_u8(d + 4 * j + 32, vreinterpretq_u8_u16(u1.val[0]));
            vst1q_u8(d + 4 * j + 48, vreinterpretq_u8_u16(u1.val[1]));
        }
    } else if (cfg->kg == 2 && cfg->esize == 1 && offset == 0) {
        uint8_t *d = dst;
        for (; j < n16; j += 16) {
            uint8x16x2_t t = vzipq_u8(vld1q_u8((const uint8_t *)rows + j), vld1q_u8((const uint8_t *)rows + ld + j));
            vst1q_u8(d + 2 * j, t.val[0]);
            vst1q_u8(d + 2 * j + 16, t.val[1]);
        }
    }
#endif
    if (cfg->kg == 1 && cfg->esize == 1 && offset == 0) {
        memcpy(dst, rows, n16);
        j = n16;
    }
    return j;
}

/*
 * Columns [j, count) of one full group, fewer than 16, through the fast path
 * on a copy padded to 16 with the bytes that pack to 0 (as the element loop
 * packs columns past count): 7x7 and 14x14 planes are mostly tail. Returns
 * how many columns it wrote (16, or 0 without a fast path).
 */
static size_t pack_tail_kmajor(const dk_q8_cfg *cfg, const int8_t *rows, size_t ld, size_t j, size_t count,
                               int offset, void *dst) {
    int8_t tail[4 * 16];
    memset(tail, offset == 128 ? -128 : 0, sizeof tail);
    for (size_t r = 0; r < cfg->kg; r++) memcpy(tail + r * 16, rows + r * ld + j, count - j);
    return pack_group_kmajor(cfg, tail, 16, 16, offset, dst);
}

void dk_q8_pack_panel(const dk_q8_cfg *cfg, int src_kmajor, const int8_t *src, size_t ld, size_t k, size_t count,
                      size_t width, int offset, void *dst) {
    const size_t kg = cfg->kg, es = cfg->esize, kp = dk_q8_round_up(k, kg);
    for (size_t p0 = 0; p0 < kp; p0 += kg) {
        const size_t group = (p0 / kg) * width * kg; /* first element of this k group */
        size_t j = 0;
        if (src_kmajor && p0 + kg <= k) {
            const size_t n16 = count & ~(size_t)15;
            char *d = (char *)dst + group * es;
            j = pack_group_kmajor(cfg, src + p0 * ld, ld, n16, offset, d);
            if (j == n16 && j < count && j + 16 <= width && kg <= 4)
                j += pack_tail_kmajor(cfg, src + p0 * ld, ld, j, count, offset, d + j * kg * es);
            if (j >= count) {
                memset(d + j * kg * es, 0, (width - j) * kg * es);
                continue;
            }
        }
        for (; j < width; j++) {
            for (size_t r = 0; r < kg; r++) {
                int32_t v = j < count ? source_at(src_kmajor, src, ld, k, p0 + r, j, offset) : 0;
                const size_t at = group + j * kg + r;
                if (es == 2) ((int16_t *)dst)[at] = (int16_t)v;
                else ((uint8_t *)dst)[at] = (uint8_t)v;
            }
        }
    }
}
