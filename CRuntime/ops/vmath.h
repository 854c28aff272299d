/*
 * Branch-free scalar math written so that compilers vectorise loops over it
 * (no libm calls, no errno, no data-dependent branches, only selects): exp,
 * log, sigmoid, tanh and the fused activations. Internal to CRuntime/ops.
 *
 * Accuracy (against double precision, Tests/CRuntimeTests/test_ops.c): exp
 * and log within a few ulp, sigmoid and tanh within 2e-7 relative.
 */
#ifndef DK_VMATH_H
#define DK_VMATH_H

#include <math.h>
#include <stdint.h>

#include "../gemm/gemm.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#if defined(__GNUC__) || defined(__clang__)
#define DK_VM_INLINE static inline __attribute__((always_inline))
#else
#define DK_VM_INLINE static inline
#endif

DK_VM_INLINE float dk_vm_from_bits(int32_t i) {
    union { int32_t i; float f; } u;
    u.i = i;
    return u.f;
}

/*
 * exp(x), Cephes' expf: x = n ln2 + r with a two-part ln2, a degree-6
 * polynomial for exp(r), and 2^n applied as two factors so that results down
 * to the subnormal range come out right. NaN in, NaN out; overflow gives +inf,
 * underflow 0.
 */
DK_VM_INLINE float dk_vm_exp(float x) {
    float v = x > -103.97f ? x : -103.97f; /* also maps NaN to the floor; restored below */
    v = v < 88.72283f ? v : 88.72283f;
    float r = (v * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
    int32_t n = (int32_t)r;
    float f = v - r * 0.693359375f;
    f = f - r * -2.12194440e-4f;
    float z = f * f;
    float y = 1.9875691500e-4f;
    y = y * f + 1.3981999507e-3f;
    y = y * f + 8.3334519073e-3f;
    y = y * f + 4.1665795894e-2f;
    y = y * f + 1.6666665459e-1f;
    y = y * f + 5.0000001201e-1f;
    y = y * z + f + 1.0f;
    int32_t n1 = n / 2;
    int32_t n2 = n - n1;
    y = y * dk_vm_from_bits((n1 + 127) * 8388608) * dk_vm_from_bits((n2 + 127) * 8388608);
    y = x > 88.72283f ? (float)INFINITY : y;
    y = x < -103.97f ? 0.0f : y;
    return x != x ? x : y;
}

DK_VM_INLINE int32_t dk_vm_to_bits(float f) {
    union { int32_t i; float f; } u;
    u.f = f;
    return u.i;
}

/*
 * Natural log, Cephes' logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), a
 * degree-9 polynomial in m - 1 and a two-part ln 2. Positive normal inputs;
 * 0 gives -inf, negatives and NaN give NaN, +inf gives +inf (subnormals are
 * not expected here and come out wrong).
 */
DK_VM_INLINE float dk_vm_log(float x) {
    const uint32_t bits = (uint32_t)dk_vm_to_bits(x);
    float e = (float)((int32_t)((bits >> 23) & 0xffu) - 126);
    float m = dk_vm_from_bits((int32_t)((bits & 0x007fffffu) | 0x3f000000u)); /* [0.5, 1) */
    const int small = m < 0.707106781186547524f;
    e = small ? e - 1.0f : e;
    m = small ? m + m - 1.0f : m - 1.0f;
    const float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    y = y + -2.12194440e-4f * e;
    y = y + -0.5f * z;
    float r = m + y;
    r = r + 0.693359375f * e;
    r = x == 0.0f ? -(float)INFINITY : r;
    r = x == (float)INFINITY ? x : r;
    return x < 0.0f || x != x ? (float)NAN : r;
}

/* 1 / (1 + exp(-x)), from exp(-|x|) so that nothing overflows. */
DK_VM_INLINE float dk_vm_sigmoid(float x) {
    float e = dk_vm_exp(-fabsf(x));
    float s = 1.0f / (1.0f + e);
    return x >= 0.0f ? s : e * s;
}

/* tanh: Cephes' odd polynomial below 0.625, (1 - e) / (1 + e) with e = exp(-2|x|) above. */
DK_VM_INLINE float dk_vm_tanh(float x) {
    float a = fabsf(x);
    float z = x * x;
    float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                    1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
    float e = dk_vm_exp(-2.0f * a);
    float big = (1.0f - e) / (1.0f + e);
    big = x < 0.0f ? -big : big;
    return a < 0.625f ? small : big;
}

/* The fused activations, NaN-propagating as PyTorch's. */
DK_VM_INLINE float dk_vm_relu(float x, float alpha) {
    (void)alpha;
    return x < 0.0f ? 0.0f : x;
}
DK_VM_INLINE float dk_vm_leaky(float x, float alpha) { return x > 0.0f ? x : x * alpha; }
DK_VM_INLINE float dk_vm_relu6(float x, float alpha) {
    (void)alpha;
    float r = x < 0.0f ? 0.0f : x;
    return r > 6.0f ? 6.0f : r;
}
DK_VM_INLINE float dk_vm_sigmoid_a(float x, float alpha) {
    (void)alpha;
    return dk_vm_sigmoid(x);
}
DK_VM_INLINE float dk_vm_tanh_a(float x, float alpha) {
    (void)alpha;
    return dk_vm_tanh(x);
}

#pragma GCC visibility pop
#endif
