/*
 * NEON (aarch64) int8 kernels, two GEMM configurations:
 *   - with the dot-product extension (sdot, Armv8.2+; detected at run time):
 *     4 signed-by-signed byte products per 32-bit lane, panels of 4 k values,
 *     tile up to 8 rows x 12 columns (24 accumulators);
 *   - without it (Armv8.0): smull (8 byte products, exact in 16 bits) then
 *     sadalp (adds adjacent pairs into 32-bit lanes), panels of 2 k values,
 *     tile up to 8 rows x 8 columns (16 accumulators).
 * Signed activations need no offset here. Requantization (rq_vec) is
 * q8_avx2.c's rule on 4 lanes with vmull_u32 and vshlq_u64.
 */
#include "igemm_kernels.h"

#if defined(__aarch64__)

#include <arm_neon.h>
#include <string.h>

#if defined(__linux__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#endif

#define DK_INLINE static inline __attribute__((always_inline))
#define DK_DOT __attribute__((target("arch=armv8.2-a+dotprod")))
#define DK_UNROLL _Pragma("GCC unroll 16")

int dk_q8_neon_has_dot(void) {
#if defined(__linux__)
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#elif defined(__APPLE__)
    return 1;
#else
    return 0;
#endif
}

typedef struct rq4 {
    int32x4_t bias;
    uint32x4_t mult, limit;
    int64x2_t nshift_lo, nshift_hi;
    uint64x2_t rnd_lo, rnd_hi;
} rq4;

DK_INLINE rq4 rq4_broadcast(int32_t bias, int32_t mult, int32_t shift, uint32_t limit) {
    rq4 r;
    r.bias = vdupq_n_s32(bias);
    r.mult = vdupq_n_u32((uint32_t)mult);
    r.limit = vdupq_n_u32(limit);
    r.nshift_lo = r.nshift_hi = vdupq_n_s64(-(int64_t)shift);
    r.rnd_lo = r.rnd_hi = vdupq_n_u64((uint64_t)1 << (shift - 1));
    return r;
}

DK_INLINE rq4 rq4_load(const int32_t *bias, const int32_t *mult, const int32_t *shift, const uint32_t *limit) {
    rq4 r;
    const int32x4_t s = vld1q_s32(shift);
    const int64x2_t one = vdupq_n_s64(1);
    const int64x2_t slo = vmovl_s32(vget_low_s32(s)), shi = vmovl_high_s32(s);
    r.bias = vld1q_s32(bias);
    r.mult = vld1q_u32((const uint32_t *)mult);
    r.limit = vld1q_u32(limit);
    r.nshift_lo = vnegq_s64(slo);
    r.nshift_hi = vnegq_s64(shi);
    r.rnd_lo = vshlq_u64(vdupq_n_u64(1), vsubq_s64(slo, one));
    r.rnd_hi = vshlq_u64(vdupq_n_u64(1), vsubq_s64(shi, one));
    return r;
}

/* The rule on acc + bias, lanes in [lo, hi]. */
DK_INLINE int32x4_t rq_vec(int32x4_t acc, const rq4 *r, const dk_q8_out *o) {
    const int32x4_t v = vaddq_s32(acc, r->bias);
    const uint32x4_t a = vminq_u32(vreinterpretq_u32_s32(vabsq_s32(v)), r->limit);
    uint64x2_t plo = vmull_u32(vget_low_u32(a), vget_low_u32(r->mult));
    uint64x2_t phi = vmull_high_u32(a, r->mult);
    plo = vshlq_u64(vaddq_u64(plo, r->rnd_lo), r->nshift_lo);
    phi = vshlq_u64(vaddq_u64(phi, r->rnd_hi), r->nshift_hi);
    int32x4_t q = vreinterpretq_s32_u32(vcombine_u32(vmovn_u64(plo), vmovn_u64(phi)));
    q = vbslq_s32(vcltzq_s32(v), vnegq_s32(q), q);
    q = vaddq_s32(q, vdupq_n_s32(o->zero));
    return vminq_s32(vmaxq_s32(q, vdupq_n_s32(o->lo)), vdupq_n_s32(o->hi));
}

/* 8 lanes in [-128, 127] to 8 bytes. */
DK_INLINE int8x8_t narrow8(int32x4_t q0, int32x4_t q1) {
    return vqmovn_s16(vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1)));
}

/* Requantizes and stores one tile row of NV vectors of 4 columns (nr of them real). */
DK_INLINE void out_row(int8_t *c, const int32x4_t *acc, const rq4 *col, const int NV, size_t nr,
                       const dk_q8_out *o) {
    int32x4_t q[4];
    for (int v = 0; v < NV; v++) q[v] = rq_vec(acc[v], &col[v], o);
    for (int v = NV; v < 4; v++) q[v] = vdupq_n_s32(0);
    int8_t tmp[16];
    vst1q_s8(tmp, vcombine_s8(narrow8(q[0], q[1]), narrow8(q[2], q[3])));
    memcpy(c, tmp, nr);
}

DK_INLINE void tile_constants(const dk_q8_tile *t, rq4 *col, const int NV) {
    if (t->chan_cols)
        for (int v = 0; v < NV; v++)
            col[v] = rq4_load(t->bias + 4 * v, t->mult + 4 * v, t->shift + 4 * v, t->limit + 4 * v);
}

DK_INLINE void row_constants(const dk_q8_tile *t, rq4 *col, size_t i, const int NV) {
    if (!t->chan_cols) {
        const rq4 r = rq4_broadcast(t->bias[i], t->mult[i], t->shift[i], t->limit[i]);
        for (int v = 0; v < NV; v++) col[v] = r;
    }
}

typedef void (*tile_fn)(size_t kgroups, const int8_t *a, const int8_t *b, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t);

/* ---- sdot microkernel ---------------------------------------------------------------- */

#define DOT_MR 8
#define DOT_NR 12

DK_INLINE DK_DOT void tile_dot(size_t kgroups, const int8_t *a, const int8_t *b, size_t nr, int8_t *c, size_t ldc,
                               const dk_q8_tile *t, const int H, const int NV) {
    int32x4_t acc[DOT_MR][3];
    DK_UNROLL for (int i = 0; i < H; i++) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_s32(0);
    for (size_t p = 0; p < kgroups; p++) {
        const int8x16_t b0 = vld1q_s8(b);
        const int8x16_t b1 = NV > 1 ? vld1q_s8(b + 16) : b0;
        const int8x16_t b2 = NV > 2 ? vld1q_s8(b + 32) : b0;
        if (H % 4 == 0) {
            /* four rows' 4 bytes in one register, each picked by lane: 2 A registers, not 8 */
            const int8x16_t a0 = vld1q_s8(a), a1 = H > 4 ? vld1q_s8(a + 16) : a0;
#define DK_LANE(i, ar, l)                                                       \
    if (H > i) {                                                                \
        acc[i][0] = vdotq_laneq_s32(acc[i][0], b0, ar, l);                      \
        if (NV > 1) acc[i][1] = vdotq_laneq_s32(acc[i][1], b1, ar, l);          \
        if (NV > 2) acc[i][2] = vdotq_laneq_s32(acc[i][2], b2, ar, l);          \
    }
            DK_LANE(0, a0, 0) DK_LANE(1, a0, 1) DK_LANE(2, a0, 2) DK_LANE(3, a0, 3)
            DK_LANE(4, a1, 0) DK_LANE(5, a1, 1) DK_LANE(6, a1, 2) DK_LANE(7, a1, 3)
#undef DK_LANE
        } else {
            DK_UNROLL for (int i = 0; i < H; i++) {
                int32_t quad;
                memcpy(&quad, a + 4 * i, sizeof quad);
                const int8x16_t ai = vreinterpretq_s8_s32(vdupq_n_s32(quad));
                acc[i][0] = vdotq_s32(acc[i][0], b0, ai);
                if (NV > 1) acc[i][1] = vdotq_s32(acc[i][1], b1, ai);
                if (NV > 2) acc[i][2] = vdotq_s32(acc[i][2], b2, ai);
            }
        }
        a += 4 * H;
        b += 16 * NV;
    }
    rq4 col[3];
    tile_constants(t, col, NV);
    DK_UNROLL for (int i = 0; i < H; i++) {
        row_constants(t, col, (size_t)i, NV);
        out_row(c + (size_t)i * ldc, acc[i], col, NV, nr, &t->out);
    }
}

#define DK_TILE(h, nv)                                                                                     \
    __attribute__((noinline)) DK_DOT static void dot_##h##_##nv(size_t kgroups, const int8_t *a,           \
                                                                const int8_t *b, size_t nr, int8_t *c,     \
                                                                size_t ldc, const dk_q8_tile *t) {         \
        tile_dot(kgroups, a, b, nr, c, ldc, t, h, nv);                                                     \
    }
#define DK_TILES(h) DK_TILE(h, 1) DK_TILE(h, 2) DK_TILE(h, 3)
DK_TILES(1) DK_TILES(2) DK_TILES(3) DK_TILES(4) DK_TILES(5) DK_TILES(6) DK_TILES(7) DK_TILES(8)
#undef DK_TILES
#undef DK_TILE

#define DK_ROW_OF(h) {dot_##h##_1, dot_##h##_2, dot_##h##_3}
static const tile_fn dot_tiles[DOT_MR][3] = {
    DK_ROW_OF(1), DK_ROW_OF(2), DK_ROW_OF(3), DK_ROW_OF(4), DK_ROW_OF(5), DK_ROW_OF(6), DK_ROW_OF(7), DK_ROW_OF(8),
};
#undef DK_ROW_OF

static void kernel_dot(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c, size_t ldc,
                       const dk_q8_tile *t) {
    dot_tiles[h - 1][(nr + 3) / 4 - 1](kgroups, a, b, nr, c, ldc, t);
}

const dk_q8_cfg dk_q8_cfg_neon_dot = {
    .id = DK_Q8_CFG_NEON_DOT, .mr = DOT_MR, .nr = DOT_NR, .vl = 4, .kg = 4, .esize = 1, .act_offset = 0,
    .kernel = kernel_dot,
};

/* ---- smull / sadalp microkernel --------------------------------------------------------- */

#define MUL_MR 8

DK_INLINE void tile_mul(size_t kgroups, const int8_t *a, const int8_t *b, size_t nr, int8_t *c, size_t ldc,
                        const dk_q8_tile *t, const int H) {
    int32x4_t acc[MUL_MR][2];
    DK_UNROLL for (int i = 0; i < H; i++) acc[i][0] = acc[i][1] = vdupq_n_s32(0);
    for (size_t p = 0; p < kgroups; p++) {
        const int8x16_t bv = vld1q_s8(b); /* 8 columns x 2 k values */
        DK_UNROLL for (int i = 0; i < H; i++) {
            int16_t pair;
            memcpy(&pair, a + 2 * i, sizeof pair);
            const int8x16_t ai = vreinterpretq_s8_s16(vdupq_n_s16(pair));
            acc[i][0] = vpadalq_s16(acc[i][0], vmull_s8(vget_low_s8(bv), vget_low_s8(ai)));
            acc[i][1] = vpadalq_s16(acc[i][1], vmull_high_s8(bv, ai));
        }
        a += 2 * H;
        b += 16;
    }
    rq4 col[2];
    tile_constants(t, col, 2);
    DK_UNROLL for (int i = 0; i < H; i++) {
        row_constants(t, col, (size_t)i, 2);
        out_row(c + (size_t)i * ldc, acc[i], col, 2, nr, &t->out);
    }
}

#define DK_TILE(h)                                                                                          \
    __attribute__((noinline)) static void mul_##h(size_t kgroups, const int8_t *a, const int8_t *b, size_t nr, \
                                                  int8_t *c, size_t ldc, const dk_q8_tile *t) {               \
        tile_mul(kgroups, a, b, nr, c, ldc, t, h);                                                          \
    }
DK_TILE(1) DK_TILE(2) DK_TILE(3) DK_TILE(4) DK_TILE(5) DK_TILE(6) DK_TILE(7) DK_TILE(8)
#undef DK_TILE

static const tile_fn mul_tiles[MUL_MR] = {mul_1, mul_2, mul_3, mul_4, mul_5, mul_6, mul_7, mul_8};

static void kernel_mul(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c, size_t ldc,
                       const dk_q8_tile *t) {
    mul_tiles[h - 1](kgroups, a, b, nr, c, ldc, t);
}

const dk_q8_cfg dk_q8_cfg_neon = {
    .id = DK_Q8_CFG_NEON, .mr = MUL_MR, .nr = 8, .vl = 8, .kg = 2, .esize = 1, .act_offset = 0,
    .kernel = kernel_mul,
};

/* ---- rows --------------------------------------------------------------------------------- */

static void requant_neon(const int32_t *acc, size_t n, int32_t bias, const dk_q8_rq *rq, const dk_q8_out *o,
                         int8_t *y) {
    const rq4 r = rq4_broadcast(bias, rq->mult, rq->shift, rq->limit);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        vst1_s8(y + i, narrow8(rq_vec(vld1q_s32(acc + i), &r, o), rq_vec(vld1q_s32(acc + i + 4), &r, o)));
    dk_q8_rows_scalar.requant(acc + i, n - i, bias, rq, o, y + i);
}

/*
 * Depthwise plane, stride 1 (any dilation): 8 outputs at a time, each tap a
 * widening multiply-accumulate (vmlal) of 8 int16 inputs by its weight into
 * two int32x4. Rows end with whole vectors (the lanes past wo read the
 * plane's slack and are not stored); other strides take the portable kernel.
 */
static void dw_plane_neon(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, int32_t bias, const dk_q8_rq *rq,
                          const dk_q8_out *o, int8_t *y) {
    if (g->sw != 1) {
        dk_q8_rows_scalar.dw_plane(g, d, w, bias, rq, o, y);
        return;
    }
    const rq4 r = rq4_broadcast(bias, rq->mult, rq->shift, rq->limit);
    for (size_t oh = 0; oh < g->ho; oh++, y += g->wo) {
        for (size_t ow = 0; ow < g->wo; ow += 8) {
            int32x4_t lo = vdupq_n_s32(0), hi = lo;
            for (size_t ki = 0; ki < g->kh; ki++) {
                const int16_t *row = d + (oh * g->sh + ki * g->dh) * g->pitch + ow;
                for (size_t kj = 0; kj < g->kw; kj++) {
                    const int16x8_t v = vld1q_s16(row + kj * g->dw);
                    const int16_t wk = w[ki * g->kw + kj];
                    lo = vmlal_n_s16(lo, vget_low_s16(v), wk);
                    hi = vmlal_high_n_s16(hi, v, wk);
                }
            }
            int8_t tmp[8];
            vst1_s8(tmp, narrow8(rq_vec(lo, &r, o), rq_vec(hi, &r, o)));
            memcpy(y + ow, tmp, g->wo - ow < 8 ? g->wo - ow : 8);
        }
    }
}

static void widen_neon(const int8_t *x, size_t n, int32_t z, int16_t *d) {
    const int16x8_t vz = vdupq_n_s16((int16_t)z);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) vst1q_s16(d + i, vsubq_s16(vmovl_s8(vld1_s8(x + i)), vz));
    dk_q8_rows_scalar.widen(x + i, n - i, z, d + i);
}

/* (x - z) * m for 8 int8 at x: two vectors of 4 lanes. */
DK_INLINE void scaled8(const int8_t *x, int32_t z, int32_t m, int32x4_t *lo, int32x4_t *hi) {
    const int16x8_t v = vsubq_s16(vmovl_s8(vld1_s8(x)), vdupq_n_s16((int16_t)z));
    *lo = vmulq_n_s32(vmovl_s16(vget_low_s16(v)), m);
    *hi = vmulq_n_s32(vmovl_high_s16(v), m);
}

DK_INLINE int32x4_t round_shift2(int32x4_t v, const dk_q8_rq2 *rq, const dk_q8_out *o) {
    const uint32x4_t rnd = vdupq_n_u32(1u << (rq->shift - 1));
    const int32x4_t nsh = vdupq_n_s32(-rq->shift);
    int32x4_t q = vreinterpretq_s32_u32(vshlq_u32(vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(v)), rnd), nsh));
    q = vaddq_s32(vbslq_s32(vcltzq_s32(v), vnegq_s32(q), q), vdupq_n_s32(o->zero));
    return vminq_s32(vmaxq_s32(q, vdupq_n_s32(o->lo)), vdupq_n_s32(o->hi));
}

static void requant2_neon(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, size_t n, const dk_q8_rq2 *rq,
                          const dk_q8_out *o, int8_t *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        int32x4_t lo, hi;
        scaled8(a + i, za, rq->mult_a, &lo, &hi);
        if (b != NULL) {
            int32x4_t blo, bhi;
            scaled8(b + i, zb, rq->mult_b, &blo, &bhi);
            lo = vaddq_s32(lo, blo);
            hi = vaddq_s32(hi, bhi);
        }
        vst1_s8(y + i, narrow8(round_shift2(lo, rq, o), round_shift2(hi, rq, o)));
    }
    dk_q8_rows_scalar.requant2(a + i, za, b != NULL ? b + i : NULL, zb, n - i, rq, o, y + i);
}

DK_INLINE int32x4_t quantize4(const float *x, float scale, const dk_q8_out *o) {
    float32x4_t q = vdivq_f32(vld1q_f32(x), vdupq_n_f32(scale));
    q = vbslq_f32(vceqq_f32(q, q), q, vdupq_n_f32(0.0f)); /* NaN -> 0 */
    q = vminq_f32(vmaxq_f32(q, vdupq_n_f32(-1024.0f)), vdupq_n_f32(1024.0f));
    int32x4_t v = vaddq_s32(vcvtq_s32_f32(vrndnq_f32(q)), vdupq_n_s32(o->zero));
    return vminq_s32(vmaxq_s32(v, vdupq_n_s32(o->lo)), vdupq_n_s32(o->hi));
}

static void quantize_neon(const float *x, size_t n, float scale, const dk_q8_out *o, int8_t *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) vst1_s8(y + i, narrow8(quantize4(x + i, scale, o), quantize4(x + i + 4, scale, o)));
    dk_q8_rows_scalar.quantize(x + i, n - i, scale, o, y + i);
}

const dk_q8_rows dk_q8_rows_neon = {
    .requant = requant_neon, .dw_plane = dw_plane_neon, .requant2 = requant2_neon, .quantize = quantize_neon,
    .widen = widen_neon, .dw_block = 8,
};

#else
/* ISO C forbids an empty translation unit. */
typedef int dk_q8_neon_unused;
#endif
