/*
 * dlrt_session_run must not allocate: every buffer is planned at session
 * creation. The test interposes the allocator (an executable's malloc
 * overrides libc's for the whole process) and counts calls during runs of
 * every fixture model, an int8 model and a recurrent one, with 1 and 2 threads.
 */
#include <dirent.h>
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#endif

#ifndef UNDER_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile int counting;
static volatile long allocations;

void *malloc(size_t n) {
    if (counting) allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
    if (counting) allocations++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
    if (counting) allocations++;
    return __libc_realloc(p, n);
}
void *aligned_alloc(size_t a, size_t n) {
    if (counting) allocations++;
    return __libc_memalign(a, n);
}
int posix_memalign(void **out, size_t a, size_t n) {
    if (counting) allocations++;
    *out = __libc_memalign(a, n);
    return *out ? 0 : 12;
}
void free(void *p) { __libc_free(p); }

static void run_model_without_allocating(dlrt_model *m, const char *path, uint32_t threads) {
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.threads = threads;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
    for (size_t i = 0; s && i < dlrt_model_input_count(m); i++) {
        dlrt_tensor_info info = {.struct_size = sizeof info};
        dlrt_session_input_info(s, i, &info);
        size_t n = 1;
        for (uint32_t d = 0; d < info.rank; d++) n *= (size_t)info.shape[d];
        float *x = calloc(n, sizeof *x);
        dlrt_session_set_input(s, i, x, n);
        free(x);
    }
    dlrt_session_run(s); /* warm-up: thread start-up may allocate thread-locals */
    allocations = 0;
    counting = 1;
    for (int r = 0; r < 3; r++) CHECK(dlrt_session_run(s) == DLRT_OK, "run");
    counting = 0;
    CHECK(allocations == 0, "%s with %u threads: %ld allocations during runs", path, threads, allocations);
    dlrt_session_free(s);
}

static void run_without_allocating(const char *path, uint32_t threads) {
    dlrt_model *m = NULL;
    if (dlrt_model_load_file(path, NULL, &m) != DLRT_OK) {
        CHECK(0, "%s: %s", path, dlrt_last_error());
        return;
    }
    run_model_without_allocating(m, path, threads);
    dlrt_model_free(m);
}

/* ids [5, 3] -> embedding -> lstm -> gru -> rnn: the recurrent kernels' GEMMs take their scratch from the workspace. */
TEST(recurrent_runs_never_allocate) {
    static float zeros[4 * 8 * 8];
    tb_model t;
    tb_init(&t);
    t.minor = 2;
    uint32_t dids[2] = {5, 3}, dtable[2] = {4, 6}, de[3] = {5, 3, 6};
    uint32_t in[2] = {tb_input(&t, "ids", 2, dids), tb_constant(&t, "table", 2, dtable, zeros)};
    uint32_t e = tb_tensor(&t, "e", 3, de);
    tb_node(&t, 21, 2, in, e, 0, NULL);
    uint32_t l = tb_recurrent(&t, 23, e, 5, 3, 6, 8, zeros, zeros, zeros, zeros, "lstm");
    uint32_t g = tb_recurrent(&t, 24, l, 5, 3, 8, 7, zeros, zeros, NULL, zeros, "gru");
    tb_output(&t, tb_recurrent(&t, 22, g, 5, 3, 7, 5, zeros, zeros, zeros, NULL, "rnn"));
    size_t size;
    uint8_t *file = tb_build(&t, &size);
    tb_free(&t);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    if (m != NULL) {
        run_model_without_allocating(m, "recurrent model", 1);
        run_model_without_allocating(m, "recurrent model", 2);
    }
    dlrt_model_free(m);
    free(file);
}

TEST(int8_runs_never_allocate) {
    size_t size;
    uint8_t *file = tb_small_int8_model(&size);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    if (m != NULL) {
        run_model_without_allocating(m, "small int8 model", 1);
        run_model_without_allocating(m, "small int8 model", 2);
    }
    dlrt_model_free(m);
    free(file);
}

TEST(runs_never_allocate) {
    DIR *dir = opendir("Tests/Fixtures");
    CHECK(dir != NULL, "Tests/Fixtures not found (run from the repository root)");
    if (dir == NULL) return;
    int models = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".dlrt") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "Tests/Fixtures/%s", e->d_name);
        run_without_allocating(path, 1);
        run_without_allocating(path, 2);
        models++;
    }
    closedir(dir);
    CHECK(models >= 5, "only %d fixture models found", models);
}
#endif

int main(void) {
#ifndef UNDER_ASAN
    RUN(runs_never_allocate);
    RUN(int8_runs_never_allocate);
    RUN(recurrent_runs_never_allocate);
#else
    printf("no_malloc: interposing malloc is incompatible with ASan; covered by the plain build\n");
#endif
    return test_summary("no_malloc");
}
