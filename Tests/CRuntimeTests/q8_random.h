/*
 * Random values for the int8 tests (test_int8.c, test_int8_gemm.c): each
 * draw is one statement or function, so that the sequence does not depend
 * on a compiler's order of evaluating arguments.
 */
#ifndef DLRT_Q8_RANDOM_H
#define DLRT_Q8_RANDOM_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "kernels.h"

static inline size_t q8_rnd(unsigned long long *rng, size_t n) { return (size_t)(test_rng_next(rng) % n); }

static inline int32_t q8_rnd_range(unsigned long long *rng, int32_t lo, int32_t hi) {
    return lo + (int32_t)q8_rnd(rng, (size_t)(hi - lo + 1));
}

/* (1 + f) * 2^e, f with `bits` random bits, e uniform in [e0, e0 + count). */
static inline double q8_random_scaled(unsigned long long *rng, int bits, int e0, int count) {
    const double f = ldexp((double)q8_rnd(rng, (size_t)1 << bits), -bits);
    return ldexp(1.0 + f, e0 + (int)q8_rnd(rng, (size_t)count));
}

/* A zero point, at one end of the range one time in four. */
static inline int32_t q8_random_zero(unsigned long long *rng) {
    if (q8_rnd(rng, 4) == 0) return q8_rnd(rng, 2) ? -128 : 127;
    return q8_rnd_range(rng, -128, 127);
}

/* An output: zero point and a clamp (none, relu, relu6-like, or arbitrary). */
static inline dk_q8_out q8_random_out(unsigned long long *rng) {
    dk_q8_out o;
    o.zero = q8_random_zero(rng);
    o.lo = -128;
    o.hi = 127;
    switch (q8_rnd(rng, 4)) {
    case 0: break;
    case 1: o.lo = o.zero; break;
    case 2: o.lo = o.zero, o.hi = o.zero + 60 > 127 ? 127 : o.zero + 60; break;
    default:
        o.lo = q8_rnd_range(rng, -128, 0);
        o.hi = q8_rnd_range(rng, 0, 127);
        break;
    }
    return o;
}

/* 64-byte aligned, with 64 bytes of slack for guard checks. */
static inline void *q8_alloc(size_t n) {
    void *p = aligned_alloc(64, (n + 64 + 63) / 64 * 64);
    if (p == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

#endif
