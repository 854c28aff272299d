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
    const void *in[3];           /* x, weight, bias (or the second add operand): f32 or int8 by the node's kernels */
    void *out;
    size_t count;                /* output elements */
    size_t outer, axis, inner;   /* the op's view of its input, see describe_step */
    size_t dims[4], pads[8];     /* pad: input dims, and pads (n, c, h, w) begin then end */
    dk_conv2d_params conv;
    dk_pool2d_params pool;
    const void *packed;          /* conv / conv transpose / int8 dense: constant weights pre-packed for the GEMM, or NULL */
    int packed_isa;              /* the dk_isa they were packed for (f32; int8 packs record their own kernel) */
    const float **inputs;        /* f32 concat */
    const int8_t **q8_inputs;    /* int8 concat */
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
    void *workspace;
    const float **concat_pointers;
    const int8_t **q8_concat_pointers;
    size_t *concat_sizes;
    void *packed_weights;        /* owned: every step's packed weights (not in the arena) */
};

/** Runs one node's kernel. Returns 0, or -1 when an int8 kernel refused its parameters (a bug). */
int dk_step_run(dk_pool *pool, const dk_node *node, const dk_step *step, void *workspace);

/* The int8 side of a step (step_int8.c), for nodes with node->q8. */
/** Bytes of the node's packed constant weights (0: none, SIZE_MAX: overflow). */
size_t dk_q8_step_packed_bytes(const dk_node *node, const dk_step *step);
/** Packs them into `packed` (64-byte aligned); 0, or -1 when the kernel refuses. */
int dk_q8_step_pack(const dk_node *node, const dk_step *step, void *packed);
/** Bytes of scratch the node's kernel needs at `threads` threads (SIZE_MAX: overflow). */
size_t dk_q8_step_workspace_bytes(const dk_node *node, const dk_step *step, int threads);
int dk_q8_step_run(dk_pool *pool, const dk_node *node, const dk_step *step, void *workspace);
/** Fills `info` for tensor t at the file's batch size. */
dlrt_status dk_tensor_info(const dlrt_model *m, uint32_t t, dlrt_tensor_info *info);

#pragma GCC visibility pop
#endif
