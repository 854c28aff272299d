/*
 * Private to the int8 kernels: the interface between the drivers (igemm.c,
 * igemm_pack.c, the int8 ops) and the per-ISA files (q8_scalar.c,
 * q8_avx2.c, q8_avx512.c, q8_neon.c). Each ISA file provides
 *   - a GEMM configuration (dk_q8_cfg): its register tile, its packed
 *     layout and its microkernel, whose epilogue requantizes in registers;
 *   - row kernels (dk_q8_rows) for the ops that are not GEMMs.
 * Both requantize with the same vector code, bit-identical to q8_requant.h.
 *
 * Packed panels (A: h <= mr rows; B: w columns, w = round_up(columns, vl)
 * <= nr): kp = round_up(k, kg) k values in groups of kg; a panel of `count`
 * rows or columns is [kp / kg][count][kg] elements of esize bytes (int8, or
 * int16 for the AVX2 vpmaddwd route), so one row's or column's kg
 * consecutive k values are adjacent: what vpdpbusd / vpmaddwd / sdot take.
 * Padding (k >= kp, columns >= the real ones) holds zeros; activations are
 * stored as x + act_offset (VNNI multiplies unsigned by signed bytes, so
 * it packs x + 128 and the bias absorbs 128 * sum(w)).
 */
#ifndef DK_IGEMM_KERNELS_H
#define DK_IGEMM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/cpu.h"
#include "q8_requant.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/* The epilogue of one tile: per-channel constants offset to the tile's first channel. */
typedef struct dk_q8_tile {
    const int32_t *bias;   /* bias with the zero-point correction: added to the raw sums (wrapping) */
    const int32_t *mult;
    const int32_t *shift;
    const uint32_t *limit;
    dk_q8_out out;
    int chan_cols; /* 0: tile row i is channel i (weights are A); 1: tile column j is (weights are B) */
} dk_q8_tile;

/*
 * C[0..h, 0..nr) (int8, row stride ldc) = rq(A panel * B panel) over
 * kgroups groups of kg k values. 1 <= h <= mr, 1 <= nr <= w = round_up(nr, vl) <= nr_max.
 * With chan_cols, A holds the activations and B the weights, else the reverse
 * (this only matters to VNNI, whose unsigned operand is the activations).
 * The per-channel arrays of t may be read up to round_up(nr, vl) entries.
 */
typedef void (*dk_q8_kernel_fn)(size_t kgroups, const void *a, const void *b, size_t h, size_t nr, int8_t *c,
                                size_t ldc, const dk_q8_tile *t);

typedef struct dk_q8_cfg {
    uint32_t id;     /* DK_Q8_CFG_* : recorded in packed buffers */
    size_t mr, nr, vl;
    size_t kg;       /* k values per group: 1, 2 or 4 */
    size_t esize;    /* bytes per packed element: 1 (int8) or 2 (int16) */
    int act_offset;  /* added to activations when packing: 0 or 128 */
    dk_q8_kernel_fn kernel;
} dk_q8_cfg;

enum {
    DK_Q8_CFG_SCALAR = 0,
    DK_Q8_CFG_AVX2 = 1,
    DK_Q8_CFG_AVX512_VNNI = 2,
    DK_Q8_CFG_NEON_DOT = 3,
    DK_Q8_CFG_NEON = 4,
    DK_Q8_CFG_COUNT = 5
};

/*
 * A depthwise plane's geometry with the padding already applied: the input
 * plane d holds x - x_zero as int16 (in [-255, 255]; 0 in the padding), rows
 * `pitch` apart, and every tap of every output lies inside it. d may be read
 * up to DK_Q8_DW_SLACK elements past its last row (the caller zeroes them),
 * so that SIMD kernels can finish a row with whole vectors.
 */
typedef struct dk_q8_dw_geom {
    size_t ho, wo, kh, kw, sh, sw, dh, dw, pitch;
} dk_q8_dw_geom;

#define DK_Q8_DW_SLACK ((size_t)128)

/* Two taps' weights as the int16 pair (w0 low, w1 high) of a 32-bit lane, for vpmaddwd (w1 = 0: one tap). */
static inline int32_t dk_q8_weight_pair(int32_t w0, int32_t w1) {
    return (int32_t)(((uint32_t)w1 << 16) | (uint16_t)w0);
}

/*
 * Row kernels for the ops that are not GEMMs (depthwise conv, average
 * pooling, add, concat, requantize, quantize). Each is serial; callers split
 * the work.
 */
typedef struct dk_q8_rows {
    /** y[i] = rule(acc[i] + bias) with one channel's rq (wrapping add). */
    void (*requant)(const int32_t *acc, size_t n, int32_t bias, const dk_q8_rq *rq, const dk_q8_out *o, int8_t *y);
    /**
     * One depthwise output plane: y[oh, ow] = rule(bias + sum over (ki, kj) of
     * w[ki * kw + kj] * d[(oh * sh + ki * dh) * pitch + ow * sw + kj * dw]).
     */
    void (*dw_plane)(const dk_q8_dw_geom *g, const int16_t *d, const int8_t *w, int32_t bias, const dk_q8_rq *rq,
                     const dk_q8_out *o, int8_t *y);
    /** y[i] = pair rule((a[i] - za), (b[i] - zb)); b NULL: one input (mult_b unused). */
    void (*requant2)(const int8_t *a, int32_t za, const int8_t *b, int32_t zb, size_t n, const dk_q8_rq2 *rq,
                     const dk_q8_out *o, int8_t *y);
    /** y[i] = clamp(round_half_even(x[i] / scale) + zero, lo, hi); NaN counts as 0. */
    void (*quantize)(const float *x, size_t n, float scale, const dk_q8_out *o, int8_t *y);
    /** d[i] = x[i] - z, in [-255, 255] (a depthwise plane's int16 copy). */
    void (*widen)(const int8_t *x, size_t n, int32_t z, int16_t *d);
    /** Outputs dw_plane computes per vector block at stride 1 (1: no blocks); lanes past a row's end are wasted. */
    size_t dw_block;
} dk_q8_rows;

extern const dk_q8_cfg dk_q8_cfg_scalar;
extern const dk_q8_rows dk_q8_rows_scalar;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
extern const dk_q8_cfg dk_q8_cfg_avx2;
extern const dk_q8_rows dk_q8_rows_avx2;
extern const dk_q8_cfg dk_q8_cfg_avx512_vnni;
extern const dk_q8_rows dk_q8_rows_avx512;
#endif
#if defined(__aarch64__)
extern const dk_q8_cfg dk_q8_cfg_neon_dot;
extern const dk_q8_cfg dk_q8_cfg_neon;
extern const dk_q8_rows dk_q8_rows_neon;
/** Whether the CPU has the dot-product instructions (sdot). */
int dk_q8_neon_has_dot(void);
#endif

/** The GEMM configuration the active ISA uses (AVX-512 without VNNI: AVX2's; NEON without sdot: smull/sadalp). */
const dk_q8_cfg *dk_q8_cfg_active(void);
/** A configuration by id, or NULL when this build or CPU cannot run it. */
const dk_q8_cfg *dk_q8_cfg_by_id(uint32_t id);
/** Every configuration compiled in (for ISA-independent sizes): count, then the table. */
const dk_q8_cfg *const *dk_q8_cfg_all(size_t *count);
/** The row kernels of the active ISA (AVX-512 without VNNI: AVX2's). */
const dk_q8_rows *dk_q8_rows_active(void);

/* ---- packing (igemm_pack.c) ---- */

/**
 * Packs `count` rows or columns of a matrix into one panel of cfg's layout,
 * with `width` >= count slots (the extra ones zero), kp = round_up(k, kg):
 *   src_kmajor 0: element (p, j) at src[j * ld + p]  (each row/column contiguous in k)
 *   src_kmajor 1: element (p, j) at src[p * ld + j]  (an im2col matrix)
 * offset is added to every value (0, or cfg->act_offset for activations).
 */
void dk_q8_pack_panel(const dk_q8_cfg *cfg, int src_kmajor, const int8_t *src, size_t ld, size_t k, size_t count,
                      size_t width, int offset, void *dst);

static inline size_t dk_q8_round_up(size_t x, size_t y) { return (x + y - 1) / y * y; }

#pragma GCC visibility pop
#endif
