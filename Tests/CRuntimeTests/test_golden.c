/*
 * Golden models: every .dlrt in Tests/Fixtures (written by tools/golden/make_fixtures.sh
 * from PyTorch) must reproduce PyTorch's output within the tolerance stored in
 * its SELFTEST section (rtol 1e-4, atol 1e-5):
 *   - through dlrt_model_selftest (single thread);
 *   - through the public session API with 1 and 2 threads, the input and the
 *     expected output read from the file's SELFTEST section by this test;
 *     the 2-thread output must also match the 1-thread one;
 *   - at batch 2 (the input twice), each batch element against the golden.
 * Runs from the repository root (make test-c does); tools/run-c-tests.sh runs
 * it once per ISA (DLRT_ISA), so each kernel family is compared with PyTorch.
 */
#include <dirent.h>
#include <stdint.h>

#include "dlrt.h"
#include "test.h"

#define FIXTURE_DIR "Tests/Fixtures"
#define MAX_FIXTURES 64
#define MAX_VECTORS 64

/* One self-test tensor as stored in the file. */
typedef struct {
    char name[257];
    size_t count;
    float *values;
} vector;

typedef struct {
    float rtol, atol;
    size_t input_count, output_count;
    vector inputs[MAX_VECTORS], outputs[MAX_VECTORS];
} selftest_data;

static uint32_t le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }
static float lef32(const unsigned char *p) {
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char *bytes = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (bytes = malloc((size_t)n)) != NULL) {
            if (fread(bytes, 1, (size_t)n, f) != (size_t)n) {
                free(bytes);
                bytes = NULL;
            } else {
                *size = (size_t)n;
            }
        }
    }
    fclose(f);
    return bytes;
}

/* Reads `count` entries "u32 tensor_id, u64 count, f32 values[count]", naming each by the model's tensor table. */
static int parse_vectors(const dlrt_model *m, const unsigned char *p, size_t size, size_t *at, size_t count,
                         vector *out) {
    for (size_t i = 0; i < count; i++) {
        if (size - *at < 12) return 0;
        uint32_t id = le32(p + *at);
        uint64_t n = le64(p + *at + 4);
        *at += 12;
        if (n == 0 || n > (size - *at) / 4) return 0;
        dlrt_tensor_info info = {.struct_size = sizeof info};
        if (dlrt_model_tensor_info(m, id, &info) != DLRT_OK) return 0;
        snprintf(out[i].name, sizeof out[i].name, "%s", info.name);
        out[i].count = (size_t)n;
        out[i].values = malloc((size_t)n * sizeof(float));
        if (out[i].values == NULL) return 0;
        for (uint64_t k = 0; k < n; k++) out[i].values[k] = lef32(p + *at + 4 * k);
        *at += 4 * (size_t)n;
    }
    return 1;
}

/* The SELFTEST section (kind 5) of the file at `path`, decoded independently of the runtime. */
static int read_selftest(const char *path, const dlrt_model *m, selftest_data *st) {
    memset(st, 0, sizeof *st);
    size_t size = 0;
    unsigned char *file = read_file(path, &size);
    if (file == NULL || size < 64) {
        free(file);
        return 0;
    }
    int ok = 0;
    uint64_t table = le64(file + 24);
    uint32_t sections = le32(file + 32);
    for (uint32_t s = 0; s < sections && table + 32 * (uint64_t)(s + 1) <= size; s++) {
        const unsigned char *e = file + table + 32 * s;
        if (le32(e) != 5) continue;
        uint64_t off = le64(e + 8), len = le64(e + 16);
        if (off > size || len > size - off || len < 12) break;
        const unsigned char *p = file + off;
        size_t at = 8;
        st->rtol = lef32(p);
        st->atol = lef32(p + 4);
        st->input_count = le32(p + at);
        at += 4;
        if (st->input_count > MAX_VECTORS || !parse_vectors(m, p, (size_t)len, &at, st->input_count, st->inputs)) break;
        if ((size_t)len - at < 4) break;
        st->output_count = le32(p + at);
        at += 4;
        if (st->output_count > MAX_VECTORS || !parse_vectors(m, p, (size_t)len, &at, st->output_count, st->outputs))
            break;
        ok = at == (size_t)len;
        break;
    }
    free(file);
    return ok;
}

static void free_selftest(selftest_data *st) {
    for (size_t i = 0; i < st->input_count; i++) free(st->inputs[i].values);
    for (size_t i = 0; i < st->output_count; i++) free(st->outputs[i].values);
}

/* Index of the session input/output named `name`, or -1. */
static long find_io(const dlrt_session *s, int output, const char *name) {
    for (size_t i = 0;; i++) {
        dlrt_tensor_info info = {.struct_size = sizeof info};
        dlrt_status st = output ? dlrt_session_output_info(s, i, &info) : dlrt_session_input_info(s, i, &info);
        if (st != DLRT_OK) return -1;
        if (strcmp(info.name, name) == 0) return (long)i;
    }
}

/* Worst |got - want| / (atol + rtol |want|) over `count` values (NaN counts as infinite). */
static double worst_error(const float *got, const float *want, size_t count, double rtol, double atol, size_t *where) {
    double worst = 0;
    *where = 0;
    for (size_t k = 0; k < count; k++) {
        double bound = atol + rtol * fabs((double)want[k]);
        double diff = fabs((double)got[k] - (double)want[k]);
        double e = isnan(diff) ? INFINITY : (bound > 0 ? diff / bound : (diff > 0 ? INFINITY : 0));
        if (e > worst) {
            worst = e;
            *where = k;
        }
    }
    return worst;
}

/*
 * Runs the self-test input through a session with `threads` threads at batch
 * `batch` (the input repeated), checks every output element against the
 * golden, and returns the outputs (batch element 0) in out[i] (malloc'ed).
 */
static int run_session(const char *fixture, const dlrt_model *m, const selftest_data *st, uint32_t threads,
                       int64_t batch, float **out, double *worst) {
    dlrt_session_options opt;
    dlrt_session_options_defaults(&opt);
    opt.threads = threads;
    opt.batch = batch;
    dlrt_session *s = NULL;
    dlrt_status status = dlrt_session_create(m, &opt, &s);
    CHECK(status == DLRT_OK, "%s: session (threads %u, batch %lld): %s %s", fixture, threads, (long long)batch,
          dlrt_status_name(status), dlrt_last_error());
    if (status != DLRT_OK) return 0;
    int ok = 1;
    *worst = 0;
    for (size_t i = 0; i < st->input_count && ok; i++) {
        long index = find_io(s, 0, st->inputs[i].name);
        CHECK(index >= 0, "%s: no session input '%s'", fixture, st->inputs[i].name);
        if (index < 0) { ok = 0; break; }
        size_t n = st->inputs[i].count;
        float *x = malloc(n * (size_t)batch * sizeof(float));
        if (x == NULL) { ok = 0; break; }
        for (int64_t b = 0; b < batch; b++) memcpy(x + (size_t)b * n, st->inputs[i].values, n * sizeof(float));
        status = dlrt_session_set_input(s, (size_t)index, x, n * (size_t)batch);
        free(x);
        CHECK(status == DLRT_OK, "%s: set_input '%s': %s", fixture, st->inputs[i].name, dlrt_last_error());
        ok = status == DLRT_OK;
    }
    if (ok) {
        status = dlrt_session_run(s);
        CHECK(status == DLRT_OK, "%s: run (threads %u, batch %lld): %s", fixture, threads, (long long)batch,
              dlrt_last_error());
        ok = status == DLRT_OK;
    }
    for (size_t i = 0; i < st->output_count && ok; i++) {
        const vector *want = &st->outputs[i];
        long index = find_io(s, 1, want->name);
        CHECK(index >= 0, "%s: no session output '%s'", fixture, want->name);
        if (index < 0) { ok = 0; break; }
        size_t n = want->count;
        float *y = malloc(n * (size_t)batch * sizeof(float));
        if (y == NULL) { ok = 0; break; }
        status = dlrt_session_get_output(s, (size_t)index, y, n * (size_t)batch);
        CHECK(status == DLRT_OK, "%s: get_output '%s': %s", fixture, want->name, dlrt_last_error());
        ok = status == DLRT_OK;
        for (int64_t b = 0; b < batch && ok; b++) {
            size_t at;
            double e = worst_error(y + (size_t)b * n, want->values, n, st->rtol, st->atol, &at);
            CHECK(e <= 1.0, "%s: threads %u batch %lld: output '%s'[%lld][%zu] = %.9g, golden %.9g (%.3g x tolerance)",
                  fixture, threads, (long long)batch, want->name, (long long)b, at, y[(size_t)b * n + at],
                  want->values[at], e);
            if (e > *worst) *worst = e;
        }
        if (out != NULL) {
            out[i] = y; /* batch element 0 comes first */
        } else {
            free(y);
        }
    }
    dlrt_session_free(s);
    return ok;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_fixture(const char *file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, file);
    dlrt_model *m = NULL;
    dlrt_status status = dlrt_model_load_file(path, NULL, &m);
    CHECK(status == DLRT_OK, "%s: load: %s %s", file, dlrt_status_name(status), dlrt_last_error());
    if (status != DLRT_OK) return;

    double selftest_error = -1;
    status = dlrt_model_selftest(m, &selftest_error);
    CHECK(status == DLRT_OK, "%s: dlrt_model_selftest (isa %s): %s %s", file, dlrt_isa(), dlrt_status_name(status),
          dlrt_last_error());

    selftest_data st;
    int have = read_selftest(path, m, &st);
    CHECK(have, "%s: cannot read its SELFTEST section", file);
    CHECK(!have || st.output_count > 0, "%s: SELFTEST has no outputs", file);
    double e1 = -1, e2 = -1, eb = -1, thread_diff = 0;
    int identical = 1;
    if (have) {
        float *one[MAX_VECTORS] = {0}, *two[MAX_VECTORS] = {0};
        int ok1 = run_session(file, m, &st, 1, 1, one, &e1);
        int ok2 = run_session(file, m, &st, 2, 1, two, &e2);
        if (ok1 && ok2) {
            for (size_t i = 0; i < st.output_count; i++) {
                size_t at;
                double e = worst_error(two[i], one[i], st.outputs[i].count, 1e-5, 1e-7, &at);
                CHECK(e <= 1.0, "%s: 2-thread output '%s'[%zu] = %.9g, 1-thread %.9g", file, st.outputs[i].name, at,
                      two[i][at], one[i][at]);
                if (e > thread_diff) thread_diff = e;
                if (memcmp(one[i], two[i], st.outputs[i].count * sizeof(float)) != 0) identical = 0;
            }
        }
        for (size_t i = 0; i < MAX_VECTORS; i++) {
            free(one[i]);
            free(two[i]);
        }
        run_session(file, m, &st, 2, 2, NULL, &eb);
        free_selftest(&st);
    }
    printf("golden %-22s isa %-6s selftest %s worst %.4f of tolerance; session 1 thread %.4f, 2 threads %.4f (%s), "
           "batch 2 %.4f\n",
           file, dlrt_isa(), status == DLRT_OK ? "ok" : dlrt_status_name(status), selftest_error, e1, e2,
           identical ? "bit-identical to 1 thread" : "differs from 1 thread", eb);
    dlrt_model_free(m);
}

TEST(golden_fixtures) {
    DIR *dir = opendir(FIXTURE_DIR);
    CHECK(dir != NULL, "cannot open %s (run the test from the repository root)", FIXTURE_DIR);
    if (dir == NULL) return;
    char *names[MAX_FIXTURES];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || n <= 5 || strcmp(entry->d_name + n - 5, ".dlrt") != 0) continue;
        CHECK(count < MAX_FIXTURES, "more than %d fixtures", MAX_FIXTURES);
        if (count == MAX_FIXTURES) break;
        names[count] = malloc(n + 1);
        if (names[count] == NULL) break;
        memcpy(names[count], entry->d_name, n + 1);
        count++;
    }
    closedir(dir);
    CHECK(count > 0, "no .dlrt files in %s (tools/golden/make_fixtures.sh writes them)", FIXTURE_DIR);
    qsort(names, count, sizeof names[0], compare_names);
    for (size_t i = 0; i < count; i++) {
        check_fixture(names[i]);
        free(names[i]);
    }
}

int main(void) {
    RUN(golden_fixtures);
    return test_summary("golden");
}
