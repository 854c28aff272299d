/*
 * Vector math kernels (activations, exp) with one instantiation per ISA:
 * the portable build (auto-vectorised for the baseline: SSE2 on x86_64, NEON
 * on aarch64) and, on x86_64, AVX2+FMA and AVX-512 clones of the same loops.
 * The clones use target attributes, not per-file flags, so SwiftPM builds them too.
 */
#include <string.h>

#include "ops_internal.h"
#include "vmath.h"

#define DK_VM_CHUNK 16

/* The first m < DK_VM_CHUNK floats of src into a zero-padded chunk, and m results back out of one. */
static void tail_in(float *dst, const float *src, size_t m) {
    memset(dst, 0, DK_VM_CHUNK * sizeof(float));
    memcpy(dst, src, m * sizeof(float));
}
static void tail_out(float *dst, const float *src, size_t m) { memcpy(dst, src, m * sizeof(float)); }

#define DK_VM_ATTR
#define DK_VM_NAME(f) f##_base
#define DK_VM_TAIL_IN tail_in
#define DK_VM_TAIL_OUT tail_out
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME
#undef DK_VM_TAIL_IN
#undef DK_VM_TAIL_OUT

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DK_VM_HAVE_X86 1
#include <immintrin.h>

/* A partial chunk in under lane masks (and out under one on AVX-512): no library call, and one
 * whole-chunk store of the padded copy for the chunk loads to forward from. */
#define DK_VM_ATTR __attribute__((target("avx2,fma")))
static inline DK_VM_ATTR __m256i lanes8(size_t m) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)m), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
DK_VM_ATTR static void tail_in_avx2(float *dst, const float *src, size_t m) {
    _mm256_storeu_ps(dst, _mm256_maskload_ps(src, lanes8(m)));
    _mm256_storeu_ps(dst + 8, m > 8 ? _mm256_maskload_ps(src + 8, lanes8(m - 8)) : _mm256_setzero_ps());
}
#define DK_VM_NAME(f) f##_avx2
#define DK_VM_TAIL_IN tail_in_avx2
#define DK_VM_TAIL_OUT tail_out /* vmaskmovps stores are slow on AMD */
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME
#undef DK_VM_TAIL_IN
#undef DK_VM_TAIL_OUT

#define DK_VM_ATTR __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
DK_VM_ATTR static void tail_in_avx512(float *dst, const float *src, size_t m) {
    _mm512_storeu_ps(dst, _mm512_maskz_loadu_ps((__mmask16)((1u << m) - 1u), src));
}
DK_VM_ATTR static void tail_out_avx512(float *dst, const float *src, size_t m) {
    _mm512_mask_storeu_ps(dst, (__mmask16)((1u << m) - 1u), _mm512_loadu_ps(src));
}
#define DK_VM_NAME(f) f##_avx512
#define DK_VM_TAIL_IN tail_in_avx512
#define DK_VM_TAIL_OUT tail_out_avx512
#include "vmath_kernels.h"
#undef DK_VM_ATTR
#undef DK_VM_NAME
#undef DK_VM_TAIL_IN
#undef DK_VM_TAIL_OUT
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
