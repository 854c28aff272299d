/*
 * Direct depthwise conv2d backward (groups == c, m = multiplier * c): no
 * im2col, no GEMM (whose shapes would be [multiplier x kh*kw] per plane).
 * One task per input channel ci, over every image: it owns dx's (image, ci)
 * planes and dw's rows of output channels ci * multiplier + j, so tasks share
 * nothing and dw needs no partial sums.
 *
 * Tap by tap: for each kernel tap the valid output rows and columns (those
 * whose input lies inside the plane) are computed once per plane, then
 *   dw[tap] += sum over those rows of dot(dy row, x row segment)
 *              (16 partial sums kept across the rows)
 *   dx row segment += w[tap] * dy row      (strided by the column stride)
 * so the inner loops are plain loops with no bounds tests, vectorised per ISA
 * (depthwise_conv2d_backward_kernels.h, instantiated here for the baseline,
 * AVX2 + FMA and AVX-512 and picked by dk_isa_active()).
 */
#include "ops_backward_internal.h"

#include <string.h>

typedef struct dwb_ctx {
    const dk_conv2d_params *p;
    const float *x, *w, *dy;
    float *dx, *dw;
    int accumulate;
} dwb_ctx;

#define DK_DWB_ATTR
#define DK_DWB_NAME(f) dwb_##f##_base
#include "depthwise_conv2d_backward_kernels.h"
#undef DK_DWB_ATTR
#undef DK_DWB_NAME

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DK_DWB_HAVE_X86 1
#define DK_DWB_ATTR __attribute__((target("avx2,fma")))
#define DK_DWB_NAME(f) dwb_##f##_avx2
#include "depthwise_conv2d_backward_kernels.h"
#undef DK_DWB_ATTR
#undef DK_DWB_NAME

#define DK_DWB_ATTR __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")))
#define DK_DWB_NAME(f) dwb_##f##_avx512
#include "depthwise_conv2d_backward_kernels.h"
#undef DK_DWB_ATTR
#undef DK_DWB_NAME
#endif

void dk_opsb_depthwise_backward(dk_pool *pool, const dk_conv2d_params *p, const float *x, const float *w,
                                const float *dy, float *dx, float *dw, int accumulate) {
    dwb_ctx c = {p, x, w, dy, dx, dw, accumulate};
    dk_task_fn fn = dwb_channel_base;
#ifdef DK_DWB_HAVE_X86
    switch (dk_isa_active()) {
    case DK_ISA_AVX512: fn = dwb_channel_avx512; break;
    case DK_ISA_AVX2: fn = dwb_channel_avx2; break;
    default: break;
    }
#endif
    dk_pool_for(pool, p->c, fn, &c);
}
