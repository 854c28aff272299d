#include <math.h>

#include "gemm.h"

static float activate(dk_activation act, float alpha, float v) {
    switch (act) {
    case DK_ACT_RELU: return v > 0.0f ? v : 0.0f;
    case DK_ACT_LEAKY_RELU: return v > 0.0f ? v : alpha * v;
    case DK_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    case DK_ACT_TANH: return tanhf(v);
    case DK_ACT_RELU6: return v < 0.0f ? 0.0f : (v > 6.0f ? 6.0f : v);
    case DK_ACT_NONE:
    default: return v;
    }
}

void dk_activation_apply(dk_activation act, float alpha, float *x, size_t n) {
    if (act == DK_ACT_NONE) return;
    for (size_t i = 0; i < n; i++) x[i] = activate(act, alpha, x[i]);
}

void dk_sgemm_reference(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
                        const float *a, size_t lda, const float *b, size_t ldb, float beta,
                        float *c, size_t ldc, const dk_epilogue *ep) {
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (size_t p = 0; p < k; p++) {
                float av = trans_a ? a[p * lda + i] : a[i * lda + p];
                float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += (double)av * (double)bv;
            }
            float v = alpha * (float)sum + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
            if (ep != NULL) {
                if (ep->bias != NULL) v += ep->bias_per_column ? ep->bias[j] : ep->bias[i];
                v = activate(ep->activation, ep->alpha, v);
            }
            c[i * ldc + j] = v;
        }
    }
}
