/*
 * The embedding node (format 1.2): rows gathered by f32 ids, checked
 * against a literal gather; ids that are not integers in [0, V) (negative,
 * fractional, V, NaN, infinities) fail the run with the id and its position
 * named, before any row is read (the ASan build proves no read outside the
 * table); -0 is row 0. Load refusals: the table's rank and constness, the ids'
 * rank, more than 2^24 rows.
 */
#include <stdint.h>

#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

enum { OP_EMBEDDING = 21 };

static int says(const char *needle) { return strstr(dlrt_last_error(), needle) != NULL; }

/* ids [ids_rank dims] -> embedding(table [v, d]) -> e. */
static uint8_t *embedding_file(uint32_t ids_rank, const uint32_t *ids_dims, uint32_t v, uint32_t d, const float *table,
                               int table_is_input, size_t *size) {
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t dt[2] = {v, d}, de[4] = {0};
    memcpy(de, ids_dims, ids_rank * sizeof(uint32_t));
    de[ids_rank] = d;
    uint32_t in[2] = {tb_input(&m, "ids", ids_rank, ids_dims), 0};
    in[1] = table_is_input ? tb_input(&m, "table", 2, dt) : tb_constant(&m, "table", 2, dt, table);
    uint32_t e = tb_tensor(&m, "e", ids_rank + 1, de);
    tb_node(&m, OP_EMBEDDING, 2, in, e, 0, NULL);
    tb_output(&m, e);
    uint8_t *file = tb_build(&m, size);
    tb_free(&m);
    return file;
}

TEST(gathers_rows) {
    unsigned long long rng = 0xE1ull;
    const uint32_t v = 11, d = 6;
    float table[11 * 6];
    for (size_t k = 0; k < v * d; k++) table[k] = test_rng_float(&rng);
    const uint32_t shapes[2][2] = {{3, 4}, {5, 0}};
    for (int r = 0; r < 2; r++) {
        uint32_t rank = r == 0 ? 2 : 1, count = r == 0 ? 12 : 5;
        size_t size;
        uint8_t *file = embedding_file(rank, shapes[r], v, d, table, 0, &size);
        dlrt_model *model = NULL;
        dlrt_session *s = NULL;
        CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "load: %s", dlrt_last_error());
        CHECK(model && dlrt_session_create(model, NULL, &s) == DLRT_OK, "session: %s", dlrt_last_error());
        if (s) {
            float ids[12], got[12 * 6];
            for (uint32_t k = 0; k < count; k++) ids[k] = (float)(test_rng_next(&rng) % v);
            ids[0] = -0.0f;
            ids[1] = (float)(v - 1);
            CHECK(dlrt_session_set_input(s, 0, ids, count) == DLRT_OK && dlrt_session_run(s) == DLRT_OK &&
                      dlrt_session_get_output(s, 0, got, (size_t)count * d) == DLRT_OK,
                  "run: %s", dlrt_last_error());
            for (uint32_t k = 0; k < count; k++) {
                size_t row = k == 0 ? 0 : (size_t)ids[k];
                CHECK(memcmp(got + (size_t)k * d, table + row * d, d * sizeof(float)) == 0, "rank %u: position %u is not row %zu", rank, k, row);
            }
            dlrt_tensor_info info = {.struct_size = sizeof info};
            CHECK(dlrt_session_output_info(s, 0, &info) == DLRT_OK && info.rank == rank + 1 && info.shape[rank] == (int64_t)d,
                  "output shape");
        }
        dlrt_session_free(s);
        dlrt_model_free(model);
        free(file);
    }
}

TEST(refuses_bad_ids_naming_them) {
    const uint32_t v = 7, d = 3, dims[2] = {2, 3};
    float table[21];
    for (int k = 0; k < 21; k++) table[k] = (float)k;
    size_t size;
    uint8_t *file = embedding_file(2, dims, v, d, table, 0, &size);
    dlrt_model *model = NULL;
    dlrt_session *s = NULL;
    CHECK(dlrt_model_load_memory(file, size, NULL, &model) == DLRT_OK, "load: %s", dlrt_last_error());
    CHECK(model && dlrt_session_create(model, NULL, &s) == DLRT_OK, "session: %s", dlrt_last_error());
    const struct { float id; const char *text; } bad[] = {
        {-1.0f, "id -1 at"}, {2.5f, "id 2.5 at"}, {7.0f, "id 7 at"}, {NAN, "id nan at"},
        {INFINITY, "id inf at"}, {-INFINITY, "id -inf at"}, {1e30f, "id 1.00000002e+30 at"}, {-0.5f, "id -0.5 at"},
    };
    for (size_t b = 0; s && b < sizeof bad / sizeof *bad; b++) {
        float ids[6] = {0, 1, 2, 3, 4, 5};
        ids[5] = 6.0f;
        ids[4] = bad[b].id; /* position [1, 1] */
        CHECK(dlrt_session_set_input(s, 0, ids, 6) == DLRT_OK, "set");
        dlrt_status st = dlrt_session_run(s);
        CHECK(st == DLRT_ERR_INVALID_ARGUMENT && says(bad[b].text) && says("position [1, 1] of 'ids' is not an integer in [0, 7)") &&
                  says("node 0 (embedding)"),
              "id %g: %s: %s", (double)bad[b].id, dlrt_status_name(st), dlrt_last_error());
    }
    dlrt_session_free(s);
    dlrt_model_free(model);
    free(file);
}

/* Loads file (then frees it), expecting `want` and `message`. */
static void check_load(const char *what, uint8_t *file, size_t size, uint32_t flags, dlrt_status want, const char *message) {
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = flags;
    dlrt_model *model = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, &o, &model);
    CHECK(st == want && model == NULL && says(message), "%s: %s: %s", what, dlrt_status_name(st), dlrt_last_error());
    dlrt_model_free(model);
    free(file);
}

TEST(load_refusals) {
    float table[12] = {0};
    size_t size;
    const uint32_t dims3[3] = {1, 2, 2}, dims2[2] = {2, 2};
    uint8_t *file = embedding_file(2, dims2, 3, 4, table, 1, &size); /* the table as a graph input */
    check_load("table not constant", file, size, 0, DLRT_ERR_FORMAT, "node 0 (embedding): input 1 ('table') must be a constant");
    file = embedding_file(3, dims3, 3, 4, table, 0, &size);
    check_load("ids rank 3", file, size, 0, DLRT_ERR_SHAPE, "node 0 (embedding): ids must be rank 1 [N] or rank 2 [N, T], have rank 3");
    /* A rank-1 table: built by hand. */
    tb_model m;
    tb_init(&m);
    m.minor = 2;
    uint32_t d12[1] = {12}, de[2] = {2, 2};
    uint32_t in[2] = {tb_input(&m, "ids", 2, dims2), tb_constant(&m, "table", 1, d12, table)};
    uint32_t e = tb_tensor(&m, "e", 2, de);
    tb_node(&m, OP_EMBEDDING, 2, in, e, 0, NULL);
    tb_output(&m, e);
    file = tb_build(&m, &size);
    tb_free(&m);
    check_load("table rank 1", file, size, 0, DLRT_ERR_SHAPE, "node 0 (embedding): the table must be rank 2 [V, D], is [12]");
    /* 2^24 + 1 rows of one float: 64 MiB; the DATA checksum is skipped to keep the test quick. */
    const uint32_t rows = (1u << 24) + 1;
    float *big = calloc(rows, sizeof(float));
    CHECK(big != NULL, "out of memory");
    if (big) {
        file = embedding_file(2, dims2, rows, 1, big, 0, &size);
        check_load("2^24 + 1 rows", file, size, DLRT_LOAD_SKIP_DATA_CHECKSUM,
                   DLRT_ERR_UNSUPPORTED, "the table has 16777217 rows; at most 2^24 (ids are f32 integers)");
        free(big);
    }
}

int main(void) {
    RUN(gathers_rows);
    RUN(refuses_bad_ids_naming_them);
    RUN(load_refusals);
    return test_summary("embedding");
}
