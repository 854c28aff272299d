/*
 * dense: y [n, m] = act(x [n, k] * w^T + bias), one dk_sgemm (trans_b) with
 * the bias-per-column epilogue. Workspace: dk_sgemm_workspace_floats(n, m, k,
 * threads), which dk_sgemm uses with the whole pool.
 */
#include "ops_internal.h"

size_t dk_dense_workspace_floats(size_t n, size_t k, size_t m, int threads) {
    return dk_sgemm_workspace_floats(n, m, k, threads < 1 ? 1 : threads);
}

void dk_dense_forward(dk_pool *pool, size_t n, size_t k, size_t m, const float *x, const float *w,
                      const float *bias, dk_activation act, float alpha, float *y, float *workspace) {
    dk_epilogue ep = {bias, 1, act, alpha};
    (void)dk_sgemm(pool, 0, 1, n, m, k, 1.0f, x, k, w, k, 0.0f, y, m, &ep, workspace);
}
