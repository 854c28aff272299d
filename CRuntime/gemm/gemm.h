/*
 * Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major,
 * followed by an optional fused epilogue (bias, then activation).
 * Blocked and packed, with SIMD microkernels chosen by dk_isa_active().
 */
#ifndef DK_GEMM_H
#define DK_GEMM_H

#include <stddef.h>
#include "../base/pool.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

/* Fused activations. The values are the format's `activation` attribute. */
typedef enum dk_activation {
    DK_ACT_NONE = 0,
    DK_ACT_RELU = 1,
    DK_ACT_LEAKY_RELU = 2, /* slope alpha */
    DK_ACT_SIGMOID = 3,
    DK_ACT_TANH = 4,
    DK_ACT_RELU6 = 5
} dk_activation;

typedef struct dk_epilogue {
    const float *bias;   /* NULL: none */
    int bias_per_column; /* 0: bias[i] added to row i (conv); 1: bias[j] to column j (dense) */
    dk_activation activation;
    float alpha;
} dk_epilogue;

/**
 * Scratch a call with these sizes needs, in floats, for `threads` threads.
 * The runtime reserves it in the session arena so that runs never allocate.
 */
size_t dk_sgemm_workspace_floats(size_t m, size_t n, size_t k, int threads);

/**
 * op(A) is m x k (A is k x m when trans_a), op(B) is k x n (B is n x k when trans_b).
 * workspace: dk_sgemm_workspace_floats() floats, 64-byte aligned; NULL makes the
 * call allocate its own. epilogue may be NULL. Returns 0, or -1 if an allocation failed.
 */
int dk_sgemm(dk_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k,
             float alpha, const float *a, size_t lda, const float *b, size_t ldb,
             float beta, float *c, size_t ldc, const dk_epilogue *epilogue, float *workspace);

/*
 * Pre-packed A, for a constant left operand (conv and dense weights): pack it
 * once with dk_sgemm_pack_a, then multiply with dk_sgemm_packed as often as
 * needed, which skips the per-call packing of A.
 *
 * Layout (private to the SGEMM, and ISA-specific): op(A)'s m rows are cut
 * into ceil(m / mr) panels whose heights differ by at most one (mr: the
 * microkernel height of the ISA active when packing); the panel starting at
 * row r holds h x k floats, k-major (element (r + i, p) at r * k + p * h + i).
 * The size, m * k floats, does not depend on the ISA, the layout does: a
 * buffer must be used under the ISA that was active when it was packed
 * (callers that may see dk_isa_force in between record dk_isa_active() and
 * fall back to dk_sgemm). Results are those of dk_sgemm with the same op(A),
 * bit for bit, for any thread count.
 */
/** Floats of a pre-packed m x k A (SIZE_MAX on overflow). */
size_t dk_sgemm_packed_a_floats(size_t m, size_t k);
/** Packs op(A) (m x k; A is k x m when trans_a) into `packed` (dk_sgemm_packed_a_floats floats). */
void dk_sgemm_pack_a(int trans_a, size_t m, size_t k, const float *a, size_t lda, float *packed);
/** dk_sgemm with op(A) given pre-packed; workspace as for dk_sgemm. */
int dk_sgemm_packed(dk_pool *pool, const float *packed_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                    const float *b, size_t ldb, float beta, float *c, size_t ldc, const dk_epilogue *epilogue,
                    float *workspace);

/*
 * The packed layout of a kc x nc block of B, as the microkernels read it:
 * column c (counted from the block's first) lies in panel c / nr at
 * c % nr, and the panels are kc rows each, k-major, one after the other.
 * The first `full` panels are nr floats a row; the last, when nc is not a
 * multiple of nr, is `last_stride` floats a row (its columns rounded up to
 * the vector length). A plain row-major matrix with rows ld apart is one
 * full panel with nr = ld.
 */
typedef struct dk_sgemm_panels {
    float *dst;
    size_t kc, nr, full, last_stride;
} dk_sgemm_panels;

/** Where row r (0 <= r < kc) of panel q starts (column c lies in panel c / nr). */
static inline float *dk_sgemm_panel_row(const dk_sgemm_panels *o, size_t q, size_t r) {
    return o->dst + q * o->nr * o->kc + r * (q < o->full ? o->nr : o->last_stride);
}

/*
 * Implicit B: an operand that is never materialised, such as a convolution's
 * im2col matrix, whose panels are filled straight from the input image as the
 * GEMM packs them (an implicit-GEMM convolution). `fill` writes rows
 * [p0, p0 + out->kc) x columns [j0, j1) of B (k x n) in out's layout
 * (the GEMM zeroes the padding columns of the last panel); it may run on any
 * of the pool's threads at once.
 */
typedef struct dk_sgemm_b_source {
    void (*fill)(const void *context, size_t p0, size_t j0, size_t j1, const dk_sgemm_panels *out);
    const void *context;
} dk_sgemm_b_source;

/**
 * dk_sgemm with B given by `b` (not transposed) and A (m x k, row-major) given
 * either as `a` with lda or pre-packed (`packed_a`, which then wins); workspace
 * as for dk_sgemm. Results are those of dk_sgemm on the materialised B, bit for bit.
 */
int dk_sgemm_implicit(dk_pool *pool, const float *a, size_t lda, const float *packed_a, const dk_sgemm_b_source *b,
                      size_t m, size_t n, size_t k, float alpha, float beta, float *c, size_t ldc,
                      const dk_epilogue *epilogue, float *workspace);

/** The plain triple-loop definition, in double accumulation: the test oracle. */
void dk_sgemm_reference(int trans_a, int trans_b, size_t m, size_t n, size_t k,
                        float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                        float beta, float *c, size_t ldc, const dk_epilogue *epilogue);

/** Applies `act` in place to n values (shared by every op with a fused activation). */
void dk_activation_apply(dk_activation act, float alpha, float *x, size_t n);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
