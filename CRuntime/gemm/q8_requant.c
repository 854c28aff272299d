/*
 * Parameters of the int8 requantization rule (q8_requant.h): the integer
 * multipliers derived from real scale ratios, and the saturation limit the
 * kernels use. Derivations run once per op, in IEEE double, so that every
 * platform gets the same integers from the same scales.
 */
#include "q8_requant.h"

#include <math.h>

int dk_q8_out_check(const dk_q8_out *o) {
    if (o == NULL) return -1;
    if (o->zero < -128 || o->zero > 127) return -1;
    if (o->lo < -128 || o->hi > 127 || o->lo > o->hi) return -1;
    return 0;
}

int dk_q8_multiplier(double real, int32_t *mult, int32_t *shift) {
    if (!(real >= 0.0) || !isfinite(real)) return -1;
    if (real < 0x1p-32) { /* |v * M| < 1/2 for every int32 v: every output is the zero point */
        *mult = 0;
        *shift = 1;
        return 0;
    }
    int e;
    double f = frexp(real, &e); /* real = f * 2^e, f in [0.5, 1) */
    double m = round(f * 2147483648.0);
    if (m >= 2147483648.0) {
        m = 1073741824.0;
        e += 1;
    }
    if (e > 30) return -1;
    *mult = (int32_t)m;
    *shift = 31 - e;
    return 0;
}

int dk_q8_rq_make(int32_t mult, int32_t shift, dk_q8_rq *rq) {
    if (mult < 0 || shift < 1 || shift > 62) return -1;
    /* The smallest a with floor((a * mult + 2^(shift-1)) / 2^shift) >= 256:
     * a * mult >= 511 * 2^(shift-1). */
    uint64_t limit = (uint64_t)1 << 31;
    if (mult > 0 && shift - 1 <= 53) {
        uint64_t num = (uint64_t)511 << (shift - 1);
        uint64_t t = (num + (uint64_t)mult - 1) / (uint64_t)mult;
        if (t < limit) limit = t;
    }
    rq->mult = mult;
    rq->shift = shift;
    rq->limit = (uint32_t)limit;
    return 0;
}

int dk_q8_rq_from_real(double real, dk_q8_rq *rq) {
    int32_t mult, shift;
    if (dk_q8_multiplier(real, &mult, &shift) != 0) return -1;
    return dk_q8_rq_make(mult, shift, rq);
}

int dk_q8_rq2_from_real(double real_a, double real_b, dk_q8_rq2 *rq) {
    if (!(real_a >= 0.0) || !(real_b >= 0.0) || !isfinite(real_a) || !isfinite(real_b)) return -1;
    double most = real_a > real_b ? real_a : real_b;
    int shift = 31;
    if (most > 0.0) {
        int e;
        (void)frexp(most, &e);
        if (22 - e < shift) shift = 22 - e;
        if (shift < 1) return -1;
    }
    /* most * 2^shift < 2^22, so each rounds to at most 2^22 */
    rq->mult_a = (int32_t)round(ldexp(real_a, shift));
    rq->mult_b = (int32_t)round(ldexp(real_b, shift));
    rq->shift = shift;
    return 0;
}
