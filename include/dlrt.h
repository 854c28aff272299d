/*
 * dlrt.h: the stable C ABI of the dlrt runtime.
 *
 * A model (dlrt_model) is loaded once, is immutable and may be shared by any
 * number of threads. A session (dlrt_session) holds one thread's execution
 * state: its activation arena and its thread pool. Create one session per
 * thread that runs the model.
 *
 * Every call that can fail returns a dlrt_status. On failure,
 * dlrt_last_error() returns a message naming what failed (the section, tensor
 * or node). Nothing in the library aborts, exits or prints.
 *
 * Option structs start with their own size, so that fields can be added
 * without breaking callers built against an older header: set struct_size to
 * sizeof(the struct) or call the matching *_defaults() function.
 */
#ifndef DLRT_H
#define DLRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DLRT_API __attribute__((visibility("default")))
#else
#define DLRT_API
#endif

/** Bumped only on incompatible changes. Additions keep the version. */
#define DLRT_ABI_VERSION 1
/** Largest tensor rank the format and the ABI carry. */
#define DLRT_MAX_RANK 8
/** Hard cap on the threads one session may use. */
#define DLRT_MAX_THREADS 64

typedef enum dlrt_status {
    DLRT_OK = 0,
    DLRT_ERR_INVALID_ARGUMENT = 1, /* a NULL handle, an out-of-range index, a bad option */
    DLRT_ERR_IO = 2,               /* the file could not be opened, read or mapped */
    DLRT_ERR_FORMAT = 3,           /* the model file is malformed or truncated */
    DLRT_ERR_CHECKSUM = 4,         /* a section's CRC-32 does not match */
    DLRT_ERR_UNSUPPORTED = 5,      /* an unknown format version, op code or op version */
    DLRT_ERR_SHAPE = 6,            /* shapes that do not infer, or a wrong input size */
    DLRT_ERR_OUT_OF_MEMORY = 7,    /* an allocation failed, or a caller's arena is too small */
    DLRT_ERR_NOT_FOUND = 8,        /* a metadata key or tensor name that is not in the model */
    DLRT_ERR_SELFTEST = 9,         /* the model's self-test output is out of tolerance */
    DLRT_ERR_INTERNAL = 10         /* a bug in dlrt: please report it */
} dlrt_status;

typedef enum dlrt_dtype {
    DLRT_F32 = 1,
    DLRT_I8 = 2,
    DLRT_U8 = 3,
    DLRT_I32 = 4
} dlrt_dtype;

typedef enum dlrt_quantization {
    DLRT_QUANT_NONE = 0,
    DLRT_QUANT_PER_TENSOR = 1,
    DLRT_QUANT_PER_CHANNEL = 2
} dlrt_quantization;

typedef enum dlrt_meta_type {
    DLRT_META_I64 = 1,
    DLRT_META_F64 = 2,
    DLRT_META_STRING = 3,
    DLRT_META_I64_ARRAY = 4,
    DLRT_META_F64_ARRAY = 5,
    DLRT_META_STRING_ARRAY = 6
} dlrt_meta_type;

typedef struct dlrt_model dlrt_model;
typedef struct dlrt_session dlrt_session;

/** A tensor's description. Pointers stay valid as long as the model. */
typedef struct dlrt_tensor_info {
    size_t struct_size;
    const char *name;
    dlrt_dtype dtype;
    uint32_t rank;
    int64_t shape[DLRT_MAX_RANK];
    dlrt_quantization quantization;
    int32_t quant_axis;          /* per-channel axis; -1 otherwise */
    uint32_t quant_count;        /* number of scales and zero points */
    const float *scales;         /* quant_count entries, or NULL */
    const int32_t *zero_points;  /* quant_count entries, or NULL */
} dlrt_tensor_info;

/* ---- version and errors ------------------------------------------------ */

/** DLRT_ABI_VERSION of the library actually loaded. */
DLRT_API uint32_t dlrt_abi_version(void);
/** Library version, e.g. "0.1.0". */
DLRT_API const char *dlrt_version_string(void);
/** A stable name for a status, e.g. "DLRT_ERR_FORMAT". */
DLRT_API const char *dlrt_status_name(dlrt_status status);
/**
 * The message of the last failed call on the calling thread. Valid until the
 * next dlrt call on this thread. Never NULL; "" when nothing has failed.
 */
DLRT_API const char *dlrt_last_error(void);
/** The instruction set the kernels dispatch to: "avx512", "avx2", "neon" or "scalar". */
DLRT_API const char *dlrt_isa(void);

/* ---- models ------------------------------------------------------------ */

enum {
    /** dlrt_model_load_memory copies the buffer, so the caller may free it at once. */
    DLRT_LOAD_COPY = 1u << 0,
    /** Skip the CRC-32 of the DATA section (the other sections are always checked). */
    DLRT_LOAD_SKIP_DATA_CHECKSUM = 1u << 1
};

typedef struct dlrt_load_options {
    size_t struct_size;
    uint32_t flags; /* DLRT_LOAD_* */
} dlrt_load_options;

DLRT_API void dlrt_load_options_defaults(dlrt_load_options *options);

/**
 * Maps the file read-only and validates it. options may be NULL.
 * The mapping lives until dlrt_model_free.
 */
DLRT_API dlrt_status dlrt_model_load_file(const char *path, const dlrt_load_options *options,
                                          dlrt_model **out_model);

/**
 * Validates a model held in memory and uses it in place (zero-copy).
 * Lifetime rule: unless DLRT_LOAD_COPY is set, `data` must stay valid and
 * unchanged until dlrt_model_free returns, and must be aligned to 64 bytes
 * (weights are used in place). With DLRT_LOAD_COPY any alignment is accepted.
 */
DLRT_API dlrt_status dlrt_model_load_memory(const void *data, size_t size,
                                            const dlrt_load_options *options,
                                            dlrt_model **out_model);

/** Frees a model. Every session made from it must be freed first. NULL is a no-op. */
DLRT_API void dlrt_model_free(dlrt_model *model);

DLRT_API size_t dlrt_model_input_count(const dlrt_model *model);
DLRT_API size_t dlrt_model_output_count(const dlrt_model *model);
/** Shapes are at the batch size stored in the file. */
DLRT_API dlrt_status dlrt_model_input_info(const dlrt_model *model, size_t index,
                                           dlrt_tensor_info *out_info);
DLRT_API dlrt_status dlrt_model_output_info(const dlrt_model *model, size_t index,
                                            dlrt_tensor_info *out_info);
DLRT_API size_t dlrt_model_node_count(const dlrt_model *model);
DLRT_API size_t dlrt_model_tensor_count(const dlrt_model *model);
DLRT_API dlrt_status dlrt_model_tensor_info(const dlrt_model *model, size_t index,
                                            dlrt_tensor_info *out_info);
/** The op name of node `index` ("conv2d", ...), or NULL when out of range. */
DLRT_API const char *dlrt_model_node_op(const dlrt_model *model, size_t index);

/* Metadata: see docs/FORMAT.md for the standard keys. */
DLRT_API size_t dlrt_model_meta_count(const dlrt_model *model);
/** The key and type of entry `index`. */
DLRT_API dlrt_status dlrt_model_meta_entry(const dlrt_model *model, size_t index,
                                           const char **out_key, dlrt_meta_type *out_type);
/** Element count of an array entry; 1 for a scalar or string. */
DLRT_API dlrt_status dlrt_model_meta_length(const dlrt_model *model, const char *key,
                                            size_t *out_length);
DLRT_API dlrt_status dlrt_model_meta_i64(const dlrt_model *model, const char *key,
                                         size_t index, int64_t *out_value);
DLRT_API dlrt_status dlrt_model_meta_f64(const dlrt_model *model, const char *key,
                                         size_t index, double *out_value);
/** Strings are not NUL-terminated inside the file: use the returned length. */
DLRT_API dlrt_status dlrt_model_meta_string(const dlrt_model *model, const char *key,
                                            size_t index, const char **out_data,
                                            size_t *out_length);

/**
 * Runs the self-test vector stored in the model, single-threaded.
 * DLRT_ERR_NOT_FOUND when the model has none; DLRT_ERR_SELFTEST when an output
 * is out of tolerance. out_max_error (may be NULL) receives the largest
 * |got - want| / (atol + rtol * |want|) seen: <= 1 passes.
 */
DLRT_API dlrt_status dlrt_model_selftest(const dlrt_model *model, double *out_max_error);

/* ---- sessions ---------------------------------------------------------- */

enum {
    /**
     * Every non-constant tensor keeps its own arena memory for the whole run
     * (no reuse between tensors whose lives do not overlap), so that
     * dlrt_session_get_tensor can read any of them after dlrt_session_run:
     * calibration and per-layer error reports. The arena grows to the sum of
     * all activations.
     */
    DLRT_SESSION_KEEP_TENSORS = 1u << 0,
    /**
     * Recurrent nodes (rnn, lstm, gru) carry their state from one run to the
     * next: each run starts from the state the previous one ended with (zeros
     * after dlrt_session_create and dlrt_session_reset_state), so a program
     * can feed a sequence piece by piece, e.g. one token per run, without
     * re-running the prefix. Without this flag every run starts from zeros.
     * See "recurrent state" below.
     */
    DLRT_SESSION_KEEP_STATE = 1u << 1
};

typedef struct dlrt_session_options {
    size_t struct_size;
    uint32_t threads;   /* 0 or 1: the calling thread only; capped at DLRT_MAX_THREADS */
    int64_t batch;      /* 0: the file's batch size; else replaces dim 0 of every graph input */
    void *arena;        /* optional caller-owned activation memory, 64-byte aligned */
    size_t arena_size;  /* its size; must be >= dlrt_session_arena_size() */
    uint32_t flags;     /* DLRT_SESSION_*; a caller built before this field existed gets 0 */
} dlrt_session_options;

DLRT_API void dlrt_session_options_defaults(dlrt_session_options *options);

/** The exact activation arena a session with these options needs, in bytes. */
DLRT_API dlrt_status dlrt_session_arena_size(const dlrt_model *model,
                                             const dlrt_session_options *options,
                                             size_t *out_bytes);

/** options may be NULL. The model must outlive the session. */
DLRT_API dlrt_status dlrt_session_create(const dlrt_model *model,
                                         const dlrt_session_options *options,
                                         dlrt_session **out_session);
DLRT_API void dlrt_session_free(dlrt_session *session);

/** Shapes at the session's batch size. */
DLRT_API dlrt_status dlrt_session_input_info(const dlrt_session *session, size_t index,
                                             dlrt_tensor_info *out_info);
DLRT_API dlrt_status dlrt_session_output_info(const dlrt_session *session, size_t index,
                                              dlrt_tensor_info *out_info);

/** Copies `count` f32 values into input `index`; count must equal its element count. */
DLRT_API dlrt_status dlrt_session_set_input(dlrt_session *session, size_t index,
                                            const float *data, size_t count);
/**
 * Runs the graph. Performs no allocation. An embedding id that is not an
 * integer in [0, rows) fails the run with DLRT_ERR_INVALID_ARGUMENT, naming
 * the id and its position; a failed run leaves the recurrent state as it was
 * (the outputs are unspecified).
 */
DLRT_API dlrt_status dlrt_session_run(dlrt_session *session);
/** Copies output `index` into `data`; count must equal its element count. */
DLRT_API dlrt_status dlrt_session_get_output(const dlrt_session *session, size_t index,
                                             float *data, size_t count);

/**
 * Tensor `tensor_index` (an index into the model's tensor table, as for
 * dlrt_model_tensor_info) with its shape at the session's batch size.
 */
DLRT_API dlrt_status dlrt_session_tensor_info(const dlrt_session *session, size_t tensor_index,
                                              dlrt_tensor_info *out_info);
/**
 * Copies non-constant tensor `tensor_index` as it stands after the last run,
 * as f32: an i8 tensor is dequantized, (q - zero_point) * scale. Needs a
 * session created with DLRT_SESSION_KEEP_TENSORS; count must equal the
 * tensor's element count at the session's batch size. Constant tensors
 * (weights) are refused: they are not in the arena.
 */
DLRT_API dlrt_status dlrt_session_get_tensor(const dlrt_session *session, size_t tensor_index,
                                             float *data, size_t count);

/* ---- recurrent state --------------------------------------------------- */

/*
 * Every rnn, gru and lstm node has state tensors, f32 [N, H] at the session's
 * batch size N (row b belongs to batch element b): h, and for lstm also c
 * (PyTorch's h_n and c_n). They are numbered in node order, h before c, and
 * named after the node's output tensor: "<output>.h", "<output>.c".
 *
 * Each state has a current value: zeros after dlrt_session_create and
 * dlrt_session_reset_state, and after every successful dlrt_session_run the
 * value that run ended with (with or without DLRT_SESSION_KEEP_STATE, so that
 * an encoder's final state can be read). With DLRT_SESSION_KEEP_STATE a run
 * starts from the current value; without it, from zeros. State memory is the
 * session's own, outside the arena. Two sessions whose models have the same
 * recurrent layers can hand state over with get and set (e.g. a prompt run
 * by a model stored with T = L, then generation by one with T = 1).
 */

/** Number of state tensors; 0 for a model without recurrent nodes or a NULL session. */
DLRT_API size_t dlrt_session_state_count(const dlrt_session *session);
/**
 * State `index`: its name ("<output>.h" / ".c", valid as long as the
 * session), dtype f32, rank 2, shape [N, H], no quantization.
 */
DLRT_API dlrt_status dlrt_session_state_info(const dlrt_session *session, size_t index,
                                             dlrt_tensor_info *out_info);
/** Copies state `index`'s current value; count must equal N * H (else DLRT_ERR_SHAPE). */
DLRT_API dlrt_status dlrt_session_get_state(const dlrt_session *session, size_t index,
                                            float *data, size_t count);
/**
 * Replaces state `index`'s current value, which the next run starts from.
 * Needs a session created with DLRT_SESSION_KEEP_STATE (without it runs start
 * from zeros, and a set state would be silently ignored: refused with
 * DLRT_ERR_INVALID_ARGUMENT). count must equal N * H (else DLRT_ERR_SHAPE);
 * every value must be finite (NaN or infinity: DLRT_ERR_INVALID_ARGUMENT,
 * naming the position; nothing is changed).
 */
DLRT_API dlrt_status dlrt_session_set_state(dlrt_session *session, size_t index,
                                            const float *data, size_t count);
/** Sets every state to zeros. */
DLRT_API dlrt_status dlrt_session_reset_state(dlrt_session *session);

#ifdef __cplusplus
}
#endif

#endif /* DLRT_H */
