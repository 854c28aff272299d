/*
 * The int8 scheme's one requantization rule (docs/FORMAT.md, "int8"), in
 * its scalar form. Every int8 kernel, scalar or SIMD, produces its outputs
 * with it, so the SIMD paths are bit-identical to these functions.
 *
 * For an exact integer numerator N and a shift R >= 1:
 *
 *     rshr(N, R) = sign(N) * floor((|N| + 2^(R-1)) / 2^R)    round half away from zero
 *     y          = clamp(zero + rshr(N, R), lo, hi)            -128 <= lo <= hi <= 127
 *
 * The numerator is N = v * mult for a GEMM-like op (v: the int32
 * accumulator, bias and zero-point correction included; mult < 2^31), and
 * N = (a - za) * mult_a + (b - zb) * mult_b for add, concat and requantize
 * (mult_a, mult_b <= 2^22, so N fits in an int32). Fused relu, relu6 and
 * clamp are only the bounds lo and hi.
 */
#ifndef DK_Q8_REQUANT_H
#define DK_Q8_REQUANT_H

#include <stddef.h>
#include <stdint.h>

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

/** An int8 output: its zero point and the clamp that fuses relu / relu6 / clamp. */
typedef struct dk_q8_out {
    int32_t zero; /* in [-128, 127] */
    int32_t lo;   /* -128 <= lo <= hi <= 127 */
    int32_t hi;
} dk_q8_out;

/**
 * The rule with N = v * mult, for one channel: y = clamp(zero + rshr(v * mult, shift), lo, hi).
 * limit is derived (dk_q8_rq_make): the smallest |v| whose rounded value is
 * at least 256, capped at 2^31. Every |v| above it saturates the clamp,
 * whatever the zero point, so kernels multiply min(|v|, limit) instead of
 * |v|: the product then fits 62 bits and the rounded value 31 bits.
 */
typedef struct dk_q8_rq {
    int32_t mult;   /* in [0, 2^31 - 1] */
    int32_t shift;  /* in [1, 62] */
    uint32_t limit; /* in [1, 2^31] */
} dk_q8_rq;

/** The rule with N = (a - za) * mult_a + (b - zb) * mult_b (one input: mult_b = 0). */
typedef struct dk_q8_rq2 {
    int32_t mult_a; /* in [0, 2^22] */
    int32_t mult_b; /* in [0, 2^22] */
    int32_t shift;  /* in [1, 31] */
} dk_q8_rq2;

/** 0 if zero, lo and hi are valid for an int8 output, else -1. */
int dk_q8_out_check(const dk_q8_out *o);

/**
 * (mult, shift) for a real multiplier M > 0, with M ~= mult * 2^-shift:
 * (f, e) = frexp(M), mult = round_half_away(f * 2^31) (2^31 becomes 2^30
 * with e + 1), shift = 31 - e. M < 2^-32 gives mult 0, shift 1 (every
 * output is the zero point, as rounding M * v would give). Returns -1 when M
 * is not finite, negative, or >= 2^30.
 */
int dk_q8_multiplier(double real, int32_t *mult, int32_t *shift);

/** dk_q8_rq from (mult, shift); -1 when they are outside the ranges above. */
int dk_q8_rq_make(int32_t mult, int32_t shift, dk_q8_rq *rq);

/** dk_q8_multiplier then dk_q8_rq_make. */
int dk_q8_rq_from_real(double real, dk_q8_rq *rq);

/**
 * The pair form for real multipliers Ma, Mb >= 0 (Mb = 0 for one input):
 * e = frexp exponent of max(Ma, Mb), shift = min(31, 22 - e),
 * mult_x = round_half_away(Mx * 2^shift). Returns -1 when a multiplier is not
 * finite or negative, or max(Ma, Mb) >= 2^21 (shift would be < 1).
 */
int dk_q8_rq2_from_real(double real_a, double real_b, dk_q8_rq2 *rq);

static inline int32_t dk_q8_clamp(int32_t v, const dk_q8_out *o) {
    return v < o->lo ? o->lo : v > o->hi ? o->hi : v;
}

/** The rule for an int32 accumulator v (the scalar path of every kernel). */
static inline int8_t dk_q8_requant(int32_t v, const dk_q8_rq *rq, const dk_q8_out *o) {
    uint32_t a = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (a > rq->limit) a = rq->limit;
    uint64_t q = ((uint64_t)a * (uint32_t)rq->mult + ((uint64_t)1 << (rq->shift - 1))) >> rq->shift;
    int32_t s = v < 0 ? -(int32_t)q : (int32_t)q;
    return (int8_t)dk_q8_clamp(s + o->zero, o);
}

/** The pair rule: da = a - za, db = b - zb (each in [-255, 255]). */
static inline int8_t dk_q8_requant2(int32_t da, int32_t db, const dk_q8_rq2 *rq, const dk_q8_out *o) {
    int32_t n = da * rq->mult_a + db * rq->mult_b; /* |n| <= 2 * 255 * 2^22 < 2^31 */
    uint32_t a = n < 0 ? 0u - (uint32_t)n : (uint32_t)n;
    int32_t q = (int32_t)((a + (1u << (rq->shift - 1))) >> rq->shift);
    return (int8_t)dk_q8_clamp((n < 0 ? -q : q) + o->zero, o);
}

/* int32 addition that wraps (the accumulators are defined modulo 2^32). */
static inline int32_t dk_q8_wrap_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t dk_q8_wrap_mul(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
