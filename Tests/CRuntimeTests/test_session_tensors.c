/*
 * DLRT_SESSION_KEEP_TENSORS, dlrt_session_get_tensor and
 * dlrt_session_tensor_info: an intermediate tensor read after a run equals
 * the same tensor made a graph output of an otherwise identical model, and
 * every misuse is refused with a message that says why.
 */
#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

enum { T_X, T_CONV_W, T_CONV_B, T_CONV, T_POOL, T_FLAT, T_FC_W, T_FC_B, T_FC, T_PROB };


static dlrt_model *load(const uint8_t *file, size_t size) {
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    return m;
}

static dlrt_session *keeping_session(const dlrt_model *m, int64_t batch) {
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.flags = DLRT_SESSION_KEEP_TENSORS;
    o.batch = batch;
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "%s", dlrt_last_error());
    return s;
}

static void fill_input(dlrt_session *s, size_t count) {
    float x[64];
    for (size_t i = 0; i < count; i++) x[i] = (float)((int)(i * 37 % 11) - 5) * 0.3f;
    CHECK(dlrt_session_set_input(s, 0, x, count) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(dlrt_session_run(s) == DLRT_OK, "%s", dlrt_last_error());
}

TEST(kept_tensors_equal_the_same_tensors_as_graph_outputs) {
    size_t plain_size, wide_size;
    const uint32_t extra[] = {T_CONV, T_POOL, T_FLAT, T_FC};
    uint8_t *plain_file = tb_small_model_with_outputs(NULL, 0, &plain_size);
    uint8_t *wide_file = tb_small_model_with_outputs(extra, 4, &wide_size);
    dlrt_model *plain = load(plain_file, plain_size), *wide = load(wide_file, wide_size);
    if (plain == NULL || wide == NULL) goto done;
    for (int64_t batch = 1; batch <= 2; batch++) {
        dlrt_session *kept = keeping_session(plain, batch), *reference = NULL;
        dlrt_session_options o;
        dlrt_session_options_defaults(&o);
        o.batch = batch;
        CHECK(dlrt_session_create(wide, &o, &reference) == DLRT_OK, "%s", dlrt_last_error());
        if (kept == NULL || reference == NULL) {
            dlrt_session_free(kept);
            dlrt_session_free(reference);
            continue;
        }
        fill_input(kept, 16 * (size_t)batch);
        fill_input(reference, 16 * (size_t)batch);
        /* Inputs, every intermediate (including the flatten view) and the output. */
        const uint32_t tensors[] = {T_X, T_CONV, T_POOL, T_FLAT, T_FC, T_PROB};
        for (size_t k = 0; k < sizeof tensors / sizeof tensors[0]; k++) {
            dlrt_tensor_info info = {.struct_size = sizeof info};
            CHECK(dlrt_session_tensor_info(kept, tensors[k], &info) == DLRT_OK, "%s", dlrt_last_error());
            CHECK(info.shape[0] == batch, "tensor %u: batch %lld in its session shape", tensors[k], (long long)info.shape[0]);
            size_t n = 1;
            for (uint32_t d = 0; d < info.rank; d++) n *= (size_t)info.shape[d];
            float got[128], want[128];
            CHECK(dlrt_session_get_tensor(kept, tensors[k], got, n) == DLRT_OK, "%s", dlrt_last_error());
            if (tensors[k] == T_X) {
                for (size_t i = 0; i < n; i++) want[i] = (float)((int)(i * 37 % 11) - 5) * 0.3f;
            } else {
                size_t output = tensors[k] == T_PROB ? 0 : k; /* extra outputs follow prob, in this order */
                CHECK(dlrt_session_get_output(reference, output, want, n) == DLRT_OK, "%s", dlrt_last_error());
            }
            CHECK(memcmp(got, want, n * sizeof(float)) == 0, "tensor %u ('%s') differs from the graph output", tensors[k],
                  info.name);
        }
        dlrt_session_free(kept);
        dlrt_session_free(reference);
    }
done:
    dlrt_model_free(plain);
    dlrt_model_free(wide);
    free(plain_file);
    free(wide_file);
}

TEST(keeping_tensors_gives_each_its_own_memory) {
    size_t size;
    uint8_t *file = tb_small_model_with_outputs(NULL, 0, &size);
    dlrt_model *m = load(file, size);
    if (m == NULL) return;
    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    size_t reusing = 0, keeping = 0;
    CHECK(dlrt_session_arena_size(m, &o, &reusing) == DLRT_OK, "%s", dlrt_last_error());
    o.flags = DLRT_SESSION_KEEP_TENSORS;
    CHECK(dlrt_session_arena_size(m, &o, &keeping) == DLRT_OK, "%s", dlrt_last_error());
    /* x 16, conv 32, pool 8, fc 3, prob 3 floats (flat is pool's view), each slot rounded to 64 bytes. */
    size_t slots = 64 + 128 + 64 + 64 + 64;
    CHECK(keeping >= slots, "kept arena %zu bytes, the tensors need %zu", keeping, slots);
    CHECK(keeping > reusing, "keeping (%zu) must cost more than reuse (%zu)", keeping, reusing);
    dlrt_model_free(m);
    free(file);
}

TEST(get_tensor_misuse_is_refused) {
    size_t size;
    uint8_t *file = tb_small_model_with_outputs(NULL, 0, &size);
    dlrt_model *m = load(file, size);
    if (m == NULL) return;
    float buffer[64];
    dlrt_session *plain = NULL;
    CHECK(dlrt_session_create(m, NULL, &plain) == DLRT_OK, "%s", dlrt_last_error());
    CHECK(dlrt_session_get_tensor(plain, T_CONV, buffer, 32) == DLRT_ERR_INVALID_ARGUMENT, "without the flag");
    CHECK(strstr(dlrt_last_error(), "DLRT_SESSION_KEEP_TENSORS") != NULL, "%s", dlrt_last_error());
    dlrt_session_free(plain);

    dlrt_session *s = keeping_session(m, 0);
    if (s == NULL) goto done;
    fill_input(s, 16);
    CHECK(dlrt_session_get_tensor(s, 10, buffer, 1) == DLRT_ERR_INVALID_ARGUMENT, "index past the table");
    CHECK(strstr(dlrt_last_error(), "tensor index 10 out of range (10)") != NULL, "%s", dlrt_last_error());
    CHECK(dlrt_session_get_tensor(s, T_CONV_W, buffer, 18) == DLRT_ERR_INVALID_ARGUMENT, "a constant");
    CHECK(strstr(dlrt_last_error(), "('conv.w') is a constant") != NULL, "%s", dlrt_last_error());
    CHECK(dlrt_session_get_tensor(s, T_CONV, buffer, 31) == DLRT_ERR_SHAPE, "wrong count");
    CHECK(strstr(dlrt_last_error(), "'conv' holds 32 values, 31 given") != NULL, "%s", dlrt_last_error());
    CHECK(dlrt_session_get_tensor(s, T_CONV, NULL, 32) == DLRT_ERR_INVALID_ARGUMENT, "NULL data");
    CHECK(dlrt_session_get_tensor(NULL, T_CONV, buffer, 32) == DLRT_ERR_INVALID_ARGUMENT, "NULL session");
    dlrt_tensor_info info = {.struct_size = sizeof info};
    CHECK(dlrt_session_tensor_info(s, 10, &info) == DLRT_ERR_INVALID_ARGUMENT, "info index past the table");
    CHECK(dlrt_session_tensor_info(s, T_CONV_W, &info) == DLRT_OK && info.shape[0] == 2, "constants have info");
    dlrt_session_free(s);

    dlrt_session_options o;
    dlrt_session_options_defaults(&o);
    o.flags = 0x10;
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_ERR_INVALID_ARGUMENT, "unknown session flag");
    CHECK(strstr(dlrt_last_error(), "unknown flag bits 0x10") != NULL, "%s", dlrt_last_error());
    /* A caller built before `flags` existed: struct_size ends before it, and flags read as 0. */
    o.struct_size = offsetof(dlrt_session_options, flags);
    CHECK(dlrt_session_create(m, &o, &s) == DLRT_OK, "older struct_size: %s", dlrt_last_error());
    CHECK(dlrt_session_get_tensor(s, T_CONV, buffer, 32) == DLRT_ERR_INVALID_ARGUMENT, "older callers keep no tensors");
    dlrt_session_free(s);
done:
    dlrt_model_free(m);
    free(file);
}

int main(void) {
    RUN(kept_tensors_equal_the_same_tensors_as_graph_outputs);
    RUN(keeping_tensors_gives_each_its_own_memory);
    RUN(get_tensor_misuse_is_refused);
    return test_summary("session_tensors");
}
