/* Shape inference for every op, and the kernel parameter structs derived from shapes. */
#ifndef DK_SHAPE_INFER_H
#define DK_SHAPE_INFER_H

#include "../format/model.h"
#include "../ops/ops.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

typedef struct dk_shape {
    uint32_t rank;
    int64_t dims[DLRT_MAX_RANK];
} dk_shape;

uint64_t dk_shape_elements(const dk_shape *s);
/**
 * Infers every tensor's shape with dim 0 of each graph input set to `batch`
 * (0 keeps the file's). `shapes` has one entry per tensor.
 */
dlrt_status dk_infer_shapes(const dlrt_model *m, int64_t batch, dk_shape *shapes);
/** At load: inference at the file's batch must give the stored shapes; folds batch norms, dequantizes i8 recurrent weights. */
dlrt_status dk_check_shapes(dlrt_model *m);
/** Kernel parameters of a conv2d / conv_transpose2d / pool node for the given input shapes. */
void dk_conv_params(const dk_node *node, const dk_shape *x, const dk_shape *w, dk_conv2d_params *p);
void dk_pool_params(const dk_node *node, const dk_shape *x, dk_pool2d_params *p);
/** Gates of a recurrent op (rnn 1, gru 3, lstm 4): W_ih and W_hh have that many times H rows. */
size_t dk_recurrent_gate_count(dk_op op);

#pragma GCC visibility pop
#endif
