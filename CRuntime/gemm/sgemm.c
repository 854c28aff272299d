/* TEMPORARY: replaced by the blocked, packed SGEMM (in progress). */
#include "gemm.h"
size_t dk_sgemm_workspace_floats(size_t m, size_t n, size_t k, int threads) {
    (void)m; (void)n; (void)k; (void)threads;
    return 0;
}
int dk_sgemm(dk_pool *pool, int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
             const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
             size_t ldc, const dk_epilogue *epilogue, float *workspace) {
    (void)pool; (void)workspace;
    dk_sgemm_reference(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue);
    return 0;
}
