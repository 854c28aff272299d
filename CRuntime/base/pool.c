#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity, cpu_set_t */
#endif
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>

#include "../../include/dlrt.h"

/*
 * Work is handed out as a generation: the caller publishes (fn, context,
 * count), bumps `generation` and broadcasts. Every thread, the caller too,
 * claims indices from the shared atomic counter until none are left; the
 * caller then waits until all workers have checked out of the generation.
 *
 * Both waits spin for up to SPIN_NS before sleeping on a condition variable.
 * A session hands the pool one layer after another, microseconds apart, and
 * a thread that slept in between had to be woken by the kernel each time
 * (tens of microseconds on an idle VM). Spinning is only safe because of
 * claim_cpu: a worker spinning on the caller's CPU would take it from the
 * caller (aba44ab, reverted in 992a055, starved LeNet-5 that way).
 */
struct dk_pool {
    int threads;
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_cond_t done;
    atomic_ulong generation;
    atomic_ulong busy_workers;
    int stopping;
    dk_task_fn fn;
    void *context;
    size_t count;
    atomic_size_t next;
    atomic_uint_least64_t occupied; /* bit c: CPU c (< 64) runs one of this generation's threads */
    uint_least64_t allowed;         /* bit c: CPU c was in the creator's affinity mask */
};

typedef struct worker_arg {
    dk_pool *pool;
    int thread;
} worker_arg;

#define SPIN_NS 100000L

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Tells the CPU (and a hypervisor watching for spin loops) that this thread is waiting. */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/*
 * Spins up to SPIN_NS until (*value == target) == equal; 1 if that happened.
 * It pauses between polls and yields after every 64, so that a pool thread
 * sharing this CPU for a moment (the caller woken where a worker sits, before
 * claim_cpu moves the worker) runs at once, not after the whole spin.
 */
static int spin_for(const atomic_ulong *value, unsigned long target, int equal) {
    const long long end = now_ns() + SPIN_NS;
    do {
        for (int i = 0; i < 64; i++) {
            if ((atomic_load_explicit(value, memory_order_acquire) == target) == equal) return 1;
            cpu_relax();
        }
        sched_yield();
    } while (now_ns() < end);
    return 0;
}

static void drain(dk_pool *pool, int thread) {
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (i >= pool->count) return;
        pool->fn(pool->context, i, thread);
    }
}

static uint_least64_t cpu_bit(void) {
#ifdef __linux__
    int cpu = sched_getcpu();
    if (cpu >= 0 && cpu < 64) return (uint_least64_t)1 << cpu;
#endif
    return 0;
}

/*
 * Keeps a generation's threads on distinct CPUs. Woken after an idle gap, a
 * worker often lands on its waker's CPU (in a VM the kernel takes the idle
 * vCPU for a preempted one and does not place work there), and the two
 * threads then share one CPU for the whole layer: 2 threads ran at 1 thread's
 * speed. A worker that finds its CPU taken restricts itself to the allowed
 * CPUs nobody in this generation holds, which moves it at once; the mask
 * stays, so later wake-ups land there directly, and is recomputed on the next
 * collision. The caller's own affinity is never touched.
 */
static void claim_cpu(dk_pool *pool) {
    uint_least64_t bit = cpu_bit();
    uint_least64_t taken = bit ? atomic_fetch_or(&pool->occupied, bit) : 0;
    uint_least64_t free_cpus = pool->allowed & ~taken;
    if (!(taken & bit) || free_cpus == 0) return;
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int c = 0; c < 64; c++)
        if (free_cpus >> c & 1) CPU_SET(c, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0) atomic_fetch_or(&pool->occupied, cpu_bit());
#endif
}

static void *worker_main(void *p) {
    dk_pool *pool = ((worker_arg *)p)->pool;
    int thread = ((worker_arg *)p)->thread;
    free(p);
    unsigned long seen = 0;
    for (;;) {
        if (!spin_for(&pool->generation, seen, 0)) {
            pthread_mutex_lock(&pool->lock);
            while (!pool->stopping && atomic_load(&pool->generation) == seen)
                pthread_cond_wait(&pool->wake, &pool->lock);
            pthread_mutex_unlock(&pool->lock);
        }
        pthread_mutex_lock(&pool->lock);
        const int stopping = pool->stopping;
        seen = atomic_load(&pool->generation);
        pthread_mutex_unlock(&pool->lock);
        if (stopping) break;
        claim_cpu(pool);
        drain(pool, thread);
        if (atomic_fetch_sub_explicit(&pool->busy_workers, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_signal(&pool->done);
            pthread_mutex_unlock(&pool->lock);
        }
    }
    return NULL;
}

dk_pool *dk_pool_create(int threads) {
    if (threads < 1) threads = 1;
    if (threads > DLRT_MAX_THREADS) threads = DLRT_MAX_THREADS;
    dk_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) return NULL;
    pool->threads = 1;
    atomic_init(&pool->next, 0);
    atomic_init(&pool->occupied, 0);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->busy_workers, 0);
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < 64; c++)
            if (CPU_ISSET(c, &set)) pool->allowed |= (uint_least64_t)1 << c;
#endif
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
    atomic_store_explicit(&pool->occupied, cpu_bit(), memory_order_relaxed);
    atomic_store_explicit(&pool->busy_workers, (unsigned long)pool->threads - 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);

    drain(pool, 0);

    if (spin_for(&pool->busy_workers, 0, 1)) return;
    pthread_mutex_lock(&pool->lock);
    while (atomic_load(&pool->busy_workers) > 0) pthread_cond_wait(&pool->done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}
