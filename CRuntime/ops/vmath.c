/*
 * Vector math kernels (activations, exp) with one instantiation per ISA:
 * the portable build (auto-vectorised for the baseline: SSE2 on x86_64, NEON
 * on aarch64) and, on x86_64, AVX2+FMA and AVX-512 clones of the same loops.
 * The clones use target attributes, not per-file flags, so SwiftPM builds them too.
 */
#include "ops_internal.h"
#include "vmath.h"

#define DK_VM_CHUNK 16

#define DK_VM_ATTR
#define DK_VM_NAME(f) f##_base
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DK_VM_HAVE_X86 1
#define DK_VM_ATTR __attribute__((target("avx2,fma")))
#define DK_VM_NAME(f) f##_avx2
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME

#define DK_VM_ATTR __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define DK_VM_NAME(f) f##_avx512
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME
#endif

void dk_ops_activation(dk_activation act, float alpha, const float *x, float *y, size_t n) {
    if (act == DK_ACT_NONE && x == y) return;
#ifdef DK_VM_HAVE_X86
    switch (dk_isa_active()) {
    case DK_ISA_AVX512: activation_avx512(act, alpha, x, y, n); return;
    case DK_ISA_AVX2: activation_avx2(act, alpha, x, y, n); return;
    default: break;
    }
#endif
    activation_base(act, alpha, x, y, n);
}

float dk_ops_exp_shift_sum(const float *x, float shift, float *y, size_t n) {
#ifdef DK_VM_HAVE_X86
    switch (dk_isa_active()) {
    case DK_ISA_AVX512: return exp_shift_sum_avx512(x, shift, y, n);
    case DK_ISA_AVX2: return exp_shift_sum_avx2(x, shift, y, n);
    default: break;
    }
#endif
    return exp_shift_sum_base(x, shift, y, n);
}

void dk_ops_mul_pow(const float *x, const float *b, float e, float *y, size_t n) {
#ifdef DK_VM_HAVE_X86
    switch (dk_isa_active()) {
    case DK_ISA_AVX512: mul_pow_avx512(x, b, e, y, n); return;
    case DK_ISA_AVX2: mul_pow_avx2(x, b, e, y, n); return;
    default: break;
    }
#endif
    mul_pow_base(x, b, e, y, n);
}

void dk_ops_exp(const float *x, float *y, size_t n) { (void)dk_ops_exp_shift_sum(x, 0.0f, y, n); }
