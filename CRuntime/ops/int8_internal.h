/*
 * Internal to the int8 ops (CRuntime/ops/int8_*.c): helpers they share.
 * Nothing here is part of int8_ops.h's contract.
 */
#ifndef DK_INT8_INTERNAL_H
#define DK_INT8_INTERNAL_H

#include "ops_internal.h"

#include "../gemm/igemm_kernels.h"
#include "int8_ops.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/* Scratch slices are rounded up to 64 bytes so that each stays cache-line aligned. */
static inline size_t dk_q8_round64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Bytes before a packed conv's body (its header). */
#define DK_Q8_CONV_HEADER ((size_t)64)

/* Elementwise int8 ops split their range into blocks of this many elements. */
#define DK_Q8_BLOCK ((size_t)65536)

/**
 * Rows [ci0 * kh * kw, ci1 * kh * kw) and output pixels [j0, j1) of the
 * im2col matrix of one image's group (x at the group's first channel): col
 * is [cg * kh * kw, j1 - j0] int8, and padding taps read `pad` (the zero point).
 */
void dk_q8_im2col(const dk_conv2d_params *p, const int8_t *x, int8_t pad, size_t ci0, size_t ci1, size_t j0, size_t j1,
                  int8_t *col);

/**
 * A convolution window in general form: tap (ki, kj) of output (oh, ow)
 * reads input (oh * sh + ki * dh + top, ow * sw + kj * dw + left), where top
 * and left may be of either sign; anything outside [0, h) x [0, w) is padding.
 */
typedef struct dk_q8_window {
    size_t h, w, ho, wo, sh, sw, kh, kw, dh, dw;
    ptrdiff_t top, left;
} dk_q8_window;

/** dk_q8_im2col for a general window (dk_q8_im2col is the conv's window, top = -pt, left = -pl). */
void dk_q8_im2col_window(const dk_q8_window *g, const int8_t *x, int8_t pad, size_t ci0, size_t ci1, size_t j0,
                         size_t j1, int8_t *col);

/* ---- int8_depthwise.c ---- */

/** Bytes of a depthwise conv's packed weights and constants. */
size_t dk_q8_depthwise_packed_bytes(const dk_conv2d_params *p);
/** Packs them after the conv header at `packed`; returns 0 or -1 (a value out of range). */
int dk_q8_depthwise_pack(const dk_conv2d_params *p, const int8_t *w, const dk_q8_quant *q, void *packed);
size_t dk_q8_depthwise_workspace_bytes(const dk_conv2d_params *p, int threads);
void dk_q8_depthwise_forward(dk_pool *pool, const dk_conv2d_params *p, const int8_t *x, const void *packed,
                             int8_t *y, void *workspace);

/* ---- shared by int8_conv2d.c and int8_conv_transpose2d.c ---- */

/** Whether t tasks run in parallel on `threads` threads rather than one after the other. */
static inline int dk_q8_parallel_tasks(size_t tasks, int threads) {
    if (threads <= 1) return 0;
    size_t t = (size_t)threads;
    return tasks >= t && (tasks % t == 0 || tasks >= 4 * t);
}

#pragma GCC visibility pop
#endif
