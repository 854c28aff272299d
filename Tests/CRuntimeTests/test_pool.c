/*
 * dk_pool: every index runs exactly once, `thread` is in range and never
 * used by two tasks at the same time (it indexes per-thread scratch),
 * back-to-back and nested (serial) calls, pools of 1, NULL, create/free loops,
 * and a worker that finds itself on the caller's CPU moving off it.
 */
#ifdef __linux__
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include <sched.h>
#endif
#include <stdatomic.h>

#include "test.h"
#include "dlrt.h"
#include "kernels.h"

#define MAX_COUNT 100000

typedef struct cover_ctx {
    atomic_int *hits;
    atomic_int busy[DLRT_MAX_THREADS];
    atomic_int bad_thread;
    atomic_int overlap;
    int threads;
} cover_ctx;

/* A little work that the compiler cannot drop, so that the threads really interleave. */
static void busy_work(int iterations) {
    volatile unsigned s = 1;
    for (int i = 0; i < iterations; i++) s = s * 1664525u + 1013904223u;
}

static void cover_fn(void *context, size_t index, int thread) {
    cover_ctx *x = context;
    if (thread < 0 || thread >= x->threads) {
        atomic_fetch_add(&x->bad_thread, 1);
        return;
    }
    if (atomic_exchange(&x->busy[thread], 1) != 0) atomic_fetch_add(&x->overlap, 1);
    atomic_fetch_add(&x->hits[index], 1);
    busy_work((int)(index % 64));
    atomic_store(&x->busy[thread], 0);
}

static atomic_int hits_buf[MAX_COUNT];

/* Runs `count` indices on `pool` and checks each ran once. Returns the number of misses. */
static int cover(dk_pool *pool, size_t count) {
    static cover_ctx x;
    x.hits = hits_buf;
    x.threads = dk_pool_threads(pool);
    for (int t = 0; t < DLRT_MAX_THREADS; t++) atomic_store(&x.busy[t], 0);
    atomic_store(&x.bad_thread, 0);
    atomic_store(&x.overlap, 0);
    for (size_t i = 0; i < count; i++) atomic_store(&hits_buf[i], 0);
    dk_pool_for(pool, count, cover_fn, &x);
    int misses = 0;
    for (size_t i = 0; i < count; i++) misses += atomic_load(&hits_buf[i]) != 1;
    CHECK(atomic_load(&x.bad_thread) == 0, "thread index out of range (%d threads)", x.threads);
    CHECK(atomic_load(&x.overlap) == 0, "two tasks ran at once with the same thread index");
    return misses;
}

static const size_t counts[] = {0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 64, 100, 257, 1000, 4099, MAX_COUNT};
static const int thread_counts[] = {1, 2, 3, 4, 5, 8, 16};

TEST(test_every_index_once) {
    for (size_t ti = 0; ti < sizeof thread_counts / sizeof thread_counts[0]; ti++) {
        dk_pool *pool = dk_pool_create(thread_counts[ti]);
        CHECK(pool != NULL, "create %d", thread_counts[ti]);
        if (pool == NULL) continue;
        CHECK(dk_pool_threads(pool) == thread_counts[ti], "threads %d", dk_pool_threads(pool));
        for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
            int misses = cover(pool, counts[ci]);
            CHECK(misses == 0, "%d of %zu indices not run exactly once (%d threads)", misses, counts[ci],
                  thread_counts[ti]);
        }
        dk_pool_free(pool);
    }
}

TEST(test_null_pool_and_pool_of_one) {
    CHECK(dk_pool_threads(NULL) == 1, "NULL pool has one thread");
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++)
        CHECK(cover(NULL, counts[ci]) == 0, "NULL pool, count %zu", counts[ci]);
    dk_pool *one = dk_pool_create(1);
    CHECK(one != NULL && dk_pool_threads(one) == 1, "pool of 1");
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++)
        CHECK(cover(one, counts[ci]) == 0, "pool of 1, count %zu", counts[ci]);
    dk_pool_free(one);
    dk_pool_free(NULL); /* a no-op */
    dk_pool *zero = dk_pool_create(0);
    CHECK(zero != NULL && dk_pool_threads(zero) == 1, "threads < 1 gives 1");
    dk_pool_free(zero);
}

/* Serial order: on a NULL pool the indices run in order on thread 0. */
typedef struct order_ctx {
    size_t next;
    int ok;
} order_ctx;

static void order_fn(void *context, size_t index, int thread) {
    order_ctx *x = context;
    if (index != x->next || thread != 0) x->ok = 0;
    x->next++;
}

/* Each outer task runs an inner, serial dk_pool_for and sums it. */
typedef struct nested_ctx {
    atomic_long total;
    atomic_int inner_bad;
} nested_ctx;

static void inner_fn(void *context, size_t index, int thread) {
    long *sum = context;
    (void)thread;
    *sum += (long)index;
}

static void outer_fn(void *context, size_t index, int thread) {
    nested_ctx *x = context;
    (void)thread;
    long sum = 0;
    dk_pool_for(NULL, index + 1, inner_fn, &sum);
    if (sum != (long)(index * (index + 1) / 2)) atomic_fetch_add(&x->inner_bad, 1);
    atomic_fetch_add(&x->total, sum);
}

TEST(test_sequential_and_nested_calls) {
    order_ctx o = {0, 1};
    dk_pool_for(NULL, 1000, order_fn, &o);
    CHECK(o.ok && o.next == 1000, "NULL pool runs in order on thread 0");

    dk_pool *pool = dk_pool_create(3);
    CHECK(pool != NULL, "create");
    if (pool == NULL) return;
    /* Many back-to-back calls with alternating functions and counts. */
    for (int round = 0; round < 2000; round++) {
        size_t count = (size_t)(round % 37);
        CHECK(cover(pool, count) == 0, "round %d count %zu", round, count);
        if (round % 10 == 0) {
            nested_ctx n;
            atomic_init(&n.total, 0);
            atomic_init(&n.inner_bad, 0);
            size_t outer = 1 + (size_t)(round % 50);
            dk_pool_for(pool, outer, outer_fn, &n);
            long want = 0;
            for (size_t i = 0; i < outer; i++) want += (long)(i * (i + 1) / 2);
            CHECK(atomic_load(&n.total) == want && atomic_load(&n.inner_bad) == 0, "nested round %d", round);
        }
    }
    dk_pool_free(pool);
}

TEST(test_create_free_loops) {
    for (int it = 0; it < 200; it++) {
        int threads = 1 + it % 9;
        dk_pool *pool = dk_pool_create(threads);
        CHECK(pool != NULL, "create %d", threads);
        if (pool == NULL) continue;
        if (it % 3 == 0) CHECK(cover(pool, (size_t)(it % 23)) == 0, "work in loop %d", it);
        dk_pool_free(pool); /* with and without work done; workers may not have started yet */
    }
    dk_pool *big = dk_pool_create(DLRT_MAX_THREADS + 10);
    CHECK(big != NULL && dk_pool_threads(big) == DLRT_MAX_THREADS, "capped at DLRT_MAX_THREADS");
    if (big != NULL) CHECK(cover(big, 5000) == 0, "cap pool covers");
    dk_pool_free(big);
}

#ifdef __linux__
/*
 * The caller is pinned to one CPU and, in a first round, the worker pins
 * itself there too (the state a wake-up on the waker's vCPU leaves it in).
 * From the next generation on the worker must run on another CPU, if the
 * process has one.
 */
typedef struct spread_ctx {
    int caller_cpu;
    int pin_worker;
    atomic_int worker_tasks;
    atomic_int worker_on_caller_cpu;
} spread_ctx;

static void spread_fn(void *context, size_t index, int thread) {
    spread_ctx *x = context;
    (void)index;
    if (thread != 0) {
        if (x->pin_worker) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(x->caller_cpu, &one);
            sched_setaffinity(0, sizeof one, &one);
        }
        atomic_fetch_add(&x->worker_tasks, 1);
        if (sched_getcpu() == x->caller_cpu) atomic_fetch_add(&x->worker_on_caller_cpu, 1);
    }
    busy_work(20000); /* so that both threads take tasks */
}

static int run_until_worker_works(dk_pool *pool, spread_ctx *x, int rounds) {
    atomic_store(&x->worker_tasks, 0);
    atomic_store(&x->worker_on_caller_cpu, 0);
    for (int r = 0; r < 1000 && atomic_load(&x->worker_tasks) < rounds; r++) dk_pool_for(pool, 64, spread_fn, x);
    return atomic_load(&x->worker_tasks);
}

TEST(test_worker_leaves_callers_cpu) {
    cpu_set_t allowed;
    CHECK(sched_getaffinity(0, sizeof allowed, &allowed) == 0, "sched_getaffinity");
    int caller_cpu = 0;
    while (caller_cpu < 64 && !CPU_ISSET(caller_cpu, &allowed)) caller_cpu++;
    CHECK(caller_cpu < 64, "no CPU below 64 is allowed");
    if (caller_cpu == 64) return;
    dk_pool *pool = dk_pool_create(2);
    CHECK(pool != NULL, "create");
    if (pool == NULL) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(caller_cpu, &one);
    CHECK(sched_setaffinity(0, sizeof one, &one) == 0, "pin the caller");

    spread_ctx x = {.caller_cpu = caller_cpu, .pin_worker = 1};
    CHECK(run_until_worker_works(pool, &x, 1) > 0, "the worker never took a task");
    x.pin_worker = 0;
    int tasks = run_until_worker_works(pool, &x, 50);
    CHECK(tasks >= 50, "the worker took %d tasks", tasks);
    int shared = atomic_load(&x.worker_on_caller_cpu);
    if (CPU_COUNT(&allowed) > 1)
        CHECK(shared == 0, "%d of %d worker tasks ran on the caller's CPU %d", shared, tasks, caller_cpu);
    else
        CHECK(shared == tasks, "one CPU: the worker has nowhere to go (%d of %d)", shared, tasks);
    dk_pool_free(pool);
    sched_setaffinity(0, sizeof allowed, &allowed);
}
#endif

int main(void) {
    RUN(test_every_index_once);
    RUN(test_null_pool_and_pool_of_one);
    RUN(test_sequential_and_nested_calls);
    RUN(test_create_free_loops);
#ifdef __linux__
    RUN(test_worker_leaves_callers_cpu);
#endif
    return test_summary("test_pool");
}
