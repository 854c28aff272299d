/*
 * A fixed pthread pool with a hard thread cap. Between calls the workers, and
 * the caller waiting for them, spin for up to 100 us and then block on a
 * condition variable. On Linux a worker woken on a CPU that the caller or
 * another worker already holds moves itself off it (pool.c, claim_cpu); the
 * caller's affinity is left alone. One pool belongs to one session (or one
 * training loop) and must not be used by two callers at once.
 */
#ifndef DK_POOL_H
#define DK_POOL_H

#include <stddef.h>

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dk_pool dk_pool;

/** `thread` is in [0, dk_pool_threads(pool)) and identifies a per-thread scratch slot. */
typedef void (*dk_task_fn)(void *context, size_t index, int thread);

/** A pool that runs work on `threads` threads, the caller's included. NULL on failure. */
dk_pool *dk_pool_create(int threads);
void dk_pool_free(dk_pool *pool);
/** 1 for a NULL pool. */
int dk_pool_threads(const dk_pool *pool);
/** Calls fn(context, i, thread) once for every i in [0, count); returns when all are done. NULL pool: serial. */
void dk_pool_for(dk_pool *pool, size_t count, dk_task_fn fn, void *context);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
