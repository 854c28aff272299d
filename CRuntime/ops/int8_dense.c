/*
 * int8 dense: y [n, m] = rq(x [n, k] * w^T), one dk_q8_gemm with the weights
 * as B (DK_Q8_WEIGHTS_RIGHT): the activations are the broadcast operand, so
 * a batch of one fills every vector lane with output features (the weights
 * as A would leave a one-column B panel, 1/16 of a vector).
 */
#include "int8_internal.h"

size_t dk_q8_dense_packed_bytes(size_t k, size_t m) { return dk_q8_gemm_packed_bytes(m, k); }

int dk_q8_dense_pack(size_t k, size_t m, const int8_t *w, const dk_q8_quant *q, void *packed) {
    return dk_q8_gemm_pack(DK_Q8_WEIGHTS_RIGHT, m, k, w, k, q, packed);
}

size_t dk_q8_dense_workspace_bytes(size_t n, size_t k, size_t m, int threads) {
    return dk_q8_gemm_workspace_bytes(DK_Q8_WEIGHTS_RIGHT, m, k, n, threads);
}

int dk_q8_dense_forward(dk_pool *pool, size_t n, const int8_t *x, const void *packed, int8_t *y, void *workspace) {
    dk_q8_layout layout;
    size_t m, k;
    if (dk_q8_gemm_packed_shape(packed, &layout, &m, &k) != 0 || layout != DK_Q8_WEIGHTS_RIGHT) return -1;
    return dk_q8_gemm(pool, packed, n, x, k, y, m, workspace);
}
