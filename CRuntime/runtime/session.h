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
    const void *in[5];           /* x, weight, bias (or the second add operand); recurrent: x, W_ih, W_hh, b_ih, b_hh. NULL: absent */
    void *out;
    size_t count;                /* output elements */
    size_t outer, axis, inner;   /* the op's view of its input, see describe_step */
    size_t dims[4], pads[8];     /* pad: input dims, and pads (n, c, h, w) begin then end */
    dk_conv2d_params conv;
    dk_pool2d_params pool;
    dk_recurrent_params rnn;     /* rnn, lstm, gru */
    const float *state_in[2];    /* recurrent: start h (and c); NULL: zeros (session_state.c binds them) */
    float *state_out[2];         /* recurrent: where the run leaves its end h (and c) */
    const void *packed;          /* conv / conv transpose / int8 dense: constant weights pre-packed for the GEMM, or NULL */
    int packed_isa;              /* the dk_isa they were packed for (f32; int8 packs record their own kernel) */
    const float **inputs;        /* f32 concat */
    const int8_t **q8_inputs;    /* int8 concat */
    size_t *axis_sizes;          /* concat */
    int serial;                  /* too little work to be worth waking the pool's threads (session.c) */
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
    uint32_t state_count;        /* recurrent state tensors (session_state.c) */
    struct dk_state *states;
    float *state_memory;         /* owned: each state's current and pending values (not in the arena) */
};

/**
 * Runs one node's kernel. Returns 0; -1 when an int8 kernel refused its
 * parameters (a bug); 1 when the node refused its input data (an embedding
 * id out of range: dk_session_input_error says which).
 */
int dk_step_run(dk_pool *pool, const dk_node *node, const dk_step *step, void *workspace);

/* The int8 side of a step (step_int8.c), for nodes with node->q8. */
/** Bytes of the node's packed constant weights (0: none, SIZE_MAX: overflow). */
size_t dk_q8_step_packed_bytes(const dk_node *node, const dk_step *step);
/** Packs them into `packed` (64-byte aligned); 0, or -1 when the kernel refuses. */
int dk_q8_step_pack(const dk_node *node, const dk_step *step, void *packed);
/** Bytes of scratch the node's kernel needs at `threads` threads (SIZE_MAX: overflow). */
size_t dk_q8_step_workspace_bytes(const dk_node *node, const dk_step *step, int threads);
int dk_q8_step_run(dk_pool *pool, const dk_node *node, const dk_step *step, void *workspace);
/* Recurrent state (session_state.c). */
/** Allocates every recurrent node's state (zeros) and binds its steps' state pointers. */
dlrt_status dk_session_plan_states(dlrt_session *s);
/** After a successful run: the state each recurrent node ended with becomes the current state. */
void dk_session_commit_states(dlrt_session *s);
void dk_session_free_states(dlrt_session *s);
/** The message for node n's refusal of its input (dk_step_run returned 1). */
dlrt_status dk_session_input_error(const dlrt_session *s, uint32_t n);

/** Fills `info` for tensor t at the file's batch size. */
dlrt_status dk_tensor_info(const dlrt_model *m, uint32_t t, dlrt_tensor_info *info);

#pragma GCC visibility pop
#endif
