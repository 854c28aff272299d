/* Sessions: planning, caller arenas, batch override, threads and the self-test. */
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

/* The small model (see tb_small_model) computed by its definition, in double. */
static void small_model_reference(const float x[16], double y[3]) {
    float w[18], b[2] = {0.1f, -0.2f}, dw[24], db[3] = {0.0f, 0.5f, -0.5f};
    for (int i = 0; i < 18; i++) w[i] = (float)((i * 7) % 5 - 2) * 0.25f;
    for (int i = 0; i < 24; i++) dw[i] = (float)((i * 5) % 7 - 3) * 0.125f;
    double conv[2][4][4], pooled[8];
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double s = b[m];
                for (int u = 0; u < 3; u++)
                    for (int v = 0; v < 3; v++) {
                        int r = i + u - 1, c = j + v - 1;
                        if (r >= 0 && r < 4 && c >= 0 && c < 4) s += (double)w[m * 9 + u * 3 + v] * x[r * 4 + c];
                    }
                conv[m][i][j] = s > 0 ? s : 0;
            }
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                double best = conv[m][2 * i][2 * j];
                for (int u = 0; u < 2; u++)
                    for (int v = 0; v < 2; v++)
                        if (conv[m][2 * i + u][2 * j + v] > best) best = conv[m][2 * i + u][2 * j + v];
                pooled[m * 4 + i * 2 + j] = best;
            }
    double logits[3], max = -1e300, sum = 0;
    for (int o = 0; o < 3; o++) {
        logits[o] = db[o];
        for (int k = 0; k < 8; k++) logits[o] += (double)dw[o * 8 + k] * pooled[k];
        if (logits[o] > max) max = logits[o];
    }
    for (int o = 0; o < 3; o++) sum += exp(logits[o] - max);
    for (int o = 0; o < 3; o++) y[o] = exp(logits[o] - max) / sum;
}

static dlrt_model *load_small(void) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_COPY;
    dlrt_model *m = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, &o, &m);
    CHECK(st == DLRT_OK, "%s", dlrt_last_error());
    free(file);
    return m;
}

TEST(small_model_matches_its_definition) {
    dlrt_model *m = load_small();
    if (m == NULL) return;
    unsigned long long seed = 42;
    for (int threads = 1; threads <= 3; threads++) {
        dlrt_session_options o;
        dlrt_session_options_defaults(&o);
        o.threads = (uint32_t)threads;
        dlrt_session *s = NULL;
        CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
        if (s == NULL) continue;
        for (int trial = 0; trial < 20; trial++) {
            float x[16], y[3];
            double want[3];
            for (int i = 0; i < 16; i++) x[i] = 2.0f * test_rng_float(&seed);
            CHECK(dlrt_session_set_input(s, 0, x, 16) == DLRT_OK, "%s", dlrt_last_error());
            CHECK(dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
            CHECK(dlrt_session_get_output(s, 0, y, 3) == DLRT_OK, "%s", dlrt_last_error());
            small_model_reference(x, want);
            for (int o2 = 0; o2 < 3; o2++) CHECK(fabs(y[o2] - want[o2]) <= 1e-5 + 1e-5 * fabs(want[o2]), "y[%d] %g vs %g", o2, y[o2], want[o2]);
        }
        dlrt_session_free(s);
    }
    dlrt_model_free(m);
}

TEST(wrong_sizes_and_indices_are_refused) {
    dlrt_model *m = load_small();
    if (m == NULL) return;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, NULL, &s) == DLRT_OK, "%s", dlrt_last_error());
    float x[17] = {0};
    CHECK(dlrt_session_set_input(s, 0, x, 17) == DLRT_ERR_SHAPE, "wrong count");
    CHECK(strstr(dlrt_last_error(), "'x' holds 16 values, 17 given") != NULL, "%s", dlrt_last_error());
    CHECK(dlrt_session_set_input(s, 1, x, 16) == DLRT_ERR_INVALID_ARGUMENT, "bad index");
    CHECK(dlrt_session_set_input(s, 0, NULL, 16) == DLRT_ERR_INVALID_ARGUMENT, "NULL data");
    CHECK(dlrt_session_get_output(s, 0, x, 4) == DLRT_ERR_SHAPE, "wrong output count");
    CHECK(dlrt_session_run(NULL) == DLRT_ERR_INVALID_ARGUMENT, "NULL session");
    dlrt_session_free(s);
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.struct_size = 1;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_ERR_INVALID_ARGUMENT && s == NULL, "bad struct_size");
    dlrt_session_options_defaults(&o);
    o.batch = -2;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_ERR_INVALID_ARGUMENT, "negative batch");
    CHECK(dlrt_session_create(NULL, NULL, &s) == DLRT_ERR_INVALID_ARGUMENT, "NULL model");
    dlrt_session_free(NULL);
    dlrt_model_free(NULL);
    dlrt_model_free(m);
}

TEST(caller_arena_of_the_reported_size_is_enough) {
    dlrt_model *m = load_small();
    if (m == NULL) return;
    size_t bytes = 0;
    CHECK(dlrt_session_arena_size(m, NULL, &bytes) == DLRT_OK && bytes > 0 && bytes % 64 == 0, "arena size %zu", bytes);
    /* Live activations never exceed the sum of all of them: conv 128 + pool 32 + fc 12 + prob 12 + x 64 bytes, each padded to 64. */
    CHECK(bytes <= 64 * 6 + 64 * 1024, "arena %zu is implausibly large", bytes);
    void *arena = aligned_alloc(64, bytes);
    memset(arena, 0xFF, bytes); /* NaN garbage: a run must not read what it has not written */
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.arena = arena;
    o.arena_size = bytes - 64;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_ERR_OUT_OF_MEMORY && s == NULL, "an arena one block short is refused");
    CHECK(strstr(dlrt_last_error(), "needs") != NULL, "%s", dlrt_last_error());
    o.arena_size = bytes;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
    dlrt_session *own = NULL;
    CHECK(dlrt_session_create(m, NULL, &own) == DLRT_OK, "%s", dlrt_last_error());
    float x[16], a[3], b[3];
    unsigned long long seed = 7;
    for (int i = 0; i < 16; i++) x[i] = test_rng_float(&seed);
    dlrt_session_set_input(s, 0, x, 16);
    dlrt_session_set_input(own, 0, x, 16);
    CHECK(dlrt_session_run(s) == DLRT_OK && dlrt_session_run(own) == DLRT_OK, "runs");
    dlrt_session_get_output(s, 0, a, 3);
    dlrt_session_get_output(own, 0, b, 3);
    CHECK(memcmp(a, b, sizeof a) == 0, "caller arena and own arena agree bit for bit");
    dlrt_session_free(s);
    dlrt_session_free(own);
    o.arena = (char *)arena + 8;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_ERR_INVALID_ARGUMENT, "misaligned arena refused");
    free(arena);
    dlrt_model_free(m);
}

TEST(batch_override_runs_each_row_like_batch_one) {
    dlrt_model *m = load_small();
    if (m == NULL) return;
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.batch = 5;
    o.threads = 2;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
    if (s == NULL) return;
    dlrt_tensor_info info = {0};
    CHECK(dlrt_session_output_info(s, 0, &info) == DLRT_OK && info.shape[0] == 5 && info.shape[1] == 3, "batch 5 output shape");
    CHECK(dlrt_model_output_info(m, 0, &info) == DLRT_OK && info.shape[0] == 1, "the model keeps the file's batch");
    float x[5 * 16], y[5 * 3];
    unsigned long long seed = 99;
    for (int i = 0; i < 80; i++) x[i] = test_rng_float(&seed);
    CHECK(dlrt_session_set_input(s, 0, x, 80) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(dlrt_session_run(s) == DLRT_OK, "run");
    dlrt_session_get_output(s, 0, y, 15);
    for (int r = 0; r < 5; r++) {
        double want[3];
        small_model_reference(x + 16 * r, want);
        for (int k = 0; k < 3; k++) CHECK(fabs(y[3 * r + k] - want[k]) <= 1e-5, "row %d class %d: %g vs %g", r, k, y[3 * r + k], want[k]);
    }
    dlrt_session_free(s);
    dlrt_model_free(m);
}

/* A model whose self-test expects `want` for input 1..4 through a relu. */
static uint8_t *relu_model_with_selftest(const float want[4], size_t *size) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, y, 0, NULL);
    tb_output(&m, y);
    const float in[4] = {-1.0f, 2.0f, -3.0f, 4.0f};
    tb_selftest(&m, 1e-5f, 1e-6f, x, in, 4, y, want, 4);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

TEST(selftest_passes_and_fails_as_it_should) {
    size_t size;
    const float good[4] = {0.0f, 2.0f, 0.0f, 4.0f}, bad[4] = {0.0f, 2.0f, 0.0f, 4.1f};
    uint8_t *file = relu_model_with_selftest(good, &size);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    double err = -1;
    CHECK(dlrt_model_selftest(m, &err) == DLRT_OK && err == 0.0, "good vector: %s (err %g)", dlrt_last_error(), err);
    dlrt_model_free(m);
    free(file);
    file = relu_model_with_selftest(bad, &size);
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(dlrt_model_selftest(m, &err) == DLRT_ERR_SELFTEST && err > 1.0, "bad vector caught (err %g)", err);
    CHECK(strstr(dlrt_last_error(), "output 'y' element 3") != NULL, "%s", dlrt_last_error());
    dlrt_model_free(m);
    free(file);
}

TEST(version_and_names) {
    CHECK(dlrt_abi_version() == DLRT_ABI_VERSION, "abi version");
    CHECK(strcmp(dlrt_version_string(), "0.2.0") == 0, "version string");
    CHECK(strcmp(dlrt_status_name(DLRT_ERR_CHECKSUM), "DLRT_ERR_CHECKSUM") == 0, "status name");
    const char *isa = dlrt_isa();
    CHECK(strcmp(isa, "scalar") == 0 || strcmp(isa, "avx2") == 0 || strcmp(isa, "avx512") == 0 || strcmp(isa, "neon") == 0, "%s", isa);
    const char *forced = getenv("DLRT_ISA");
    if (forced != NULL) CHECK(strcmp(isa, forced) == 0, "DLRT_ISA=%s but dispatch is %s", forced, isa);
}

int main(void) {
    RUN(small_model_matches_its_definition);
    RUN(wrong_sizes_and_indices_are_refused);
    RUN(caller_arena_of_the_reported_size_is_enough);
    RUN(batch_override_runs_each_row_like_batch_one);
    RUN(selftest_passes_and_fails_as_it_should);
    RUN(version_and_names);
    return test_summary("session");
}
