/* A session's private state, and the per-node steps it runs. */
#ifndef DK_SESSION_H
#define DK_SESSION_H

#include "../format/model.h"
#include "../ops/ops.h"
#include "shape_infer.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/** One node, resolved for a session: kernel parameters and bound pointers. */
typedef struct dk_step {
    const float *in[3];          /* x, weight, bias (or the second add operand) */
    float *out;
    size_t count;                /* output elements */
    size_t outer, axis, inner;   /* the op's view of its input, see describe_step */
    size_t dims[4];              /* pad: input dims */
    dk_conv2d_params conv;
    dk_pool2d_params pool;
    const float *packed;         /* conv / conv transpose: constant weights pre-packed for the GEMM, or NULL */
    int packed_isa;              /* the dk_isa they were packed for */
    const float **inputs;        /* concat */
    size_t *axis_sizes;          /* concat */
} dk_step;

struct dlrt_session {
    const dlrt_model *model;
    int64_t batch;
    uint32_t threads;
    uint32_t flags;              /* DLRT_SESSION_* */
    dk_pool *pool;
    dk_shape *shapes;
    dk_step *steps;
    uint64_t *offsets;           /* per tensor, into the arena */
    uint8_t *arena;
    size_t arena_size, caller_arena_size;
    int owns_arena;
    uint64_t workspace_offset;
    float *workspace;
    const float **concat_pointers;
    size_t *concat_sizes;
    float *packed_weights;       /* owned: every step's packed weights (not in the arena) */
};

/** Runs one node's kernel. */
void dk_step_run(dk_pool *pool, const dk_node *node, const dk_step *step, float *workspace);
/** Fills `info` for tensor t at the file's batch size. */
dlrt_status dk_tensor_info(const dlrt_model *m, uint32_t t, dlrt_tensor_info *info);

#pragma GCC visibility pop
#endif
