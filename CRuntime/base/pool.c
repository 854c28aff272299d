#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../../include/dlrt.h"

/*
 * Work is handed out as a generation: the caller publishes (fn, context,
 * count), bumps `generation` and broadcasts. Every thread, the caller too,
 * claims indices from the shared atomic counter until none are left; the
 * caller then waits until all workers have checked out of the generation.
 */
struct dk_pool {
    int threads;
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t done;
    unsigned long generation;
    int busy_workers;
    int stopping;
    dk_task_fn fn;
    void *context;
    size_t count;
    atomic_size_t next;
};

typedef struct worker_arg {
    dk_pool *pool;
    int thread;
} worker_arg;

static void drain(dk_pool *pool, int thread) {
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (i >= pool->count) return;
        pool->fn(pool->context, i, thread);
    }
}

static void *worker_main(void *p) {
    dk_pool *pool = ((worker_arg *)p)->pool;
    int thread = ((worker_arg *)p)->thread;
    free(p);
    unsigned long seen = 0;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->stopping && pool->generation == seen) pthread_cond_wait(&pool->wake, &pool->lock);
        if (pool->stopping) break;
        seen = pool->generation;
        pthread_mutex_unlock(&pool->lock);
        drain(pool, thread);
        pthread_mutex_lock(&pool->lock);
        if (--pool->busy_workers == 0) pthread_cond_signal(&pool->done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

dk_pool *dk_pool_create(int threads) {
    if (threads < 1) threads = 1;
    if (threads > DLRT_MAX_THREADS) threads = DLRT_MAX_THREADS;
    dk_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) return NULL;
    pool->threads = 1;
    atomic_init(&pool->next, 0);
    if (pthread_mutex_init(&pool->lock, NULL) != 0) goto fail_lock;
    if (pthread_cond_init(&pool->wake, NULL) != 0) goto fail_wake;
    if (pthread_cond_init(&pool->done, NULL) != 0) goto fail_done;
    if (threads > 1) {
        pool->workers = calloc((size_t)threads - 1, sizeof *pool->workers);
        if (pool->workers == NULL) goto fail_workers;
        for (int t = 1; t < threads; t++) {
            worker_arg *arg = malloc(sizeof *arg);
            if (arg == NULL) break;
            arg->pool = pool;
            arg->thread = t;
            if (pthread_create(&pool->workers[t - 1], NULL, worker_main, arg) != 0) {
                free(arg);
                break;
            }
            pool->threads = t + 1;
        }
        if (pool->threads != threads) {
            dk_pool_free(pool);
            return NULL;
        }
    }
    return pool;

fail_workers:
    pthread_cond_destroy(&pool->done);
fail_done:
    pthread_cond_destroy(&pool->wake);
fail_wake:
    pthread_mutex_destroy(&pool->lock);
fail_lock:
    free(pool);
    return NULL;
}

void dk_pool_free(dk_pool *pool) {
    if (pool == NULL) return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int t = 1; t < pool->threads; t++) pthread_join(pool->workers[t - 1], NULL);
    free(pool->workers);
    pthread_cond_destroy(&pool->done);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

int dk_pool_threads(const dk_pool *pool) { return pool ? pool->threads : 1; }

void dk_pool_for(dk_pool *pool, size_t count, dk_task_fn fn, void *context) {
    if (count == 0) return;
    if (pool == NULL || pool->threads == 1 || count == 1) {
        for (size_t i = 0; i < count; i++) fn(context, i, 0);
        return;
    }
    pthread_mutex_lock(&pool->lock);
    pool->fn = fn;
    pool->context = context;
    pool->count = count;
    atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
    pool->busy_workers = pool->threads - 1;
    pool->generation++;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);

    drain(pool, 0);

    pthread_mutex_lock(&pool->lock);
    while (pool->busy_workers > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}
