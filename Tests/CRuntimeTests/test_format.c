/* The loader and validator against valid and hostile files (docs/FORMAT.md). */
#include <stdint.h>
#include <unistd.h>

#include "dlrt.h"
#include "model_builder.h"
#include "test.h"

/* Loads a copy of `size` bytes; the copy makes ASan see reads past `size`. */
static dlrt_status load_copy(const uint8_t *bytes, size_t size, dlrt_model **out) {
    uint8_t *exact = malloc(size ? size : 1);
    memcpy(exact, bytes, size);
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_COPY;
    dlrt_status st = dlrt_model_load_memory(exact, size, &o, out);
    free(exact);
    return st;
}

/* Refused with the given status and a message that mentions `needle`. */
static void expect_refused(const uint8_t *bytes, size_t size, dlrt_status want, const char *needle) {
    dlrt_model *m = (dlrt_model *)1;
    dlrt_status st = load_copy(bytes, size, &m);
    CHECK(st == want, "got %s (%s), want %s", dlrt_status_name(st), dlrt_last_error(), dlrt_status_name(want));
    CHECK(m == NULL, "the out-pointer must be NULL after a failure");
    CHECK(strstr(dlrt_last_error(), needle) != NULL, "message '%s' lacks '%s'", dlrt_last_error(), needle);
    if (st == DLRT_OK) dlrt_model_free(m);
}

TEST(small_model_loads_and_describes_itself) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    dlrt_model *m = NULL;
    dlrt_status st = dlrt_model_load_memory(file, size, NULL, &m);
    CHECK(st == DLRT_OK, "%s", dlrt_last_error());
    if (st != DLRT_OK) return;
    CHECK(dlrt_model_input_count(m) == 1 && dlrt_model_output_count(m) == 1, "io counts");
    CHECK(dlrt_model_node_count(m) == 5, "node count %zu", dlrt_model_node_count(m));
    CHECK(strcmp(dlrt_model_node_op(m, 0), "conv2d") == 0 && strcmp(dlrt_model_node_op(m, 4), "softmax") == 0, "op names");
    CHECK(dlrt_model_node_op(m, 5) == NULL, "out-of-range node");
    dlrt_tensor_info info = {0};
    CHECK(dlrt_model_input_info(m, 0, &info) == DLRT_OK, "input info");
    CHECK(strcmp(info.name, "x") == 0 && info.rank == 4 && info.shape[2] == 4 && info.dtype == DLRT_F32, "input info fields");
    CHECK(dlrt_model_input_info(m, 1, &info) == DLRT_ERR_INVALID_ARGUMENT, "index out of range");
    const char *s;
    size_t n;
    CHECK(dlrt_model_meta_string(m, "model.name", 0, &s, &n) == DLRT_OK && n == 5 && memcmp(s, "small", 5) == 0, "meta string");
    CHECK(dlrt_model_meta_string(m, "nope", 0, &s, &n) == DLRT_ERR_NOT_FOUND, "missing key");
    CHECK(strstr(dlrt_last_error(), "nope") != NULL, "message names the key");
    int64_t v;
    CHECK(dlrt_model_meta_i64(m, "model.name", 0, &v) == DLRT_ERR_INVALID_ARGUMENT, "type mismatch refused");
    CHECK(dlrt_model_selftest(m, NULL) == DLRT_ERR_NOT_FOUND, "no selftest section");
    dlrt_model_free(m);
    free(file);
}

TEST(zero_copy_needs_alignment_or_copy_flag) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    uint8_t *shifted = malloc(size + 1);
    memcpy(shifted + 1, file, size);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(shifted + 1, size, NULL, &m) == DLRT_ERR_INVALID_ARGUMENT, "misaligned zero-copy refused");
    CHECK(strstr(dlrt_last_error(), "aligned") != NULL, "%s", dlrt_last_error());
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_COPY;
    CHECK(dlrt_model_load_memory(shifted + 1, size, &o, &m) == DLRT_OK, "copy accepts any alignment: %s", dlrt_last_error());
    memset(shifted, 0, size + 1); /* the copy is independent of the caller's buffer */
    dlrt_session *s = NULL;
    CHECK(dlrt_session_create(m, NULL, &s) == DLRT_OK, "session on copied model");
    dlrt_session_free(s);
    dlrt_model_free(m);
    o.flags = 0x80;
    CHECK(dlrt_model_load_memory(file, size, &o, &m) == DLRT_ERR_INVALID_ARGUMENT, "unknown flag refused");
    o.struct_size = 3;
    o.flags = 0;
    CHECK(dlrt_model_load_memory(file, size, &o, &m) == DLRT_ERR_INVALID_ARGUMENT, "bad struct_size refused");
    free(shifted);
    free(file);
}

TEST(load_file_maps_and_reports_io_errors) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    char path[] = "/tmp/dlrt-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, file, size) == (ssize_t)size, "temp file");
    close(fd);
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_file(path, NULL, &m) == DLRT_OK, "%s", dlrt_last_error());
    dlrt_model_free(m);
    unlink(path);
    CHECK(dlrt_model_load_file(path, NULL, &m) == DLRT_ERR_IO && m == NULL, "missing file");
    CHECK(strstr(dlrt_last_error(), path) != NULL, "message names the path: %s", dlrt_last_error());
    CHECK(dlrt_model_load_file("/tmp", NULL, &m) == DLRT_ERR_IO, "a directory");
    CHECK(dlrt_model_load_file(NULL, NULL, &m) == DLRT_ERR_INVALID_ARGUMENT, "NULL path");
    CHECK(dlrt_model_load_file(path, NULL, NULL) == DLRT_ERR_INVALID_ARGUMENT, "NULL out");
    free(file);
}

/* The valid models the damage tests start from: f32 and int8. */
static uint8_t *(*const corpus[])(size_t *) = {tb_small_model, tb_small_int8_model};
#define CORPUS_SIZE (sizeof corpus / sizeof corpus[0])

TEST(truncated_at_every_byte_is_refused) {
    for (size_t k = 0; k < CORPUS_SIZE; k++) {
        size_t size;
        uint8_t *file = corpus[k](&size);
        for (size_t n = 0; n < size; n++) {
            dlrt_model *m = NULL;
            dlrt_status st = load_copy(file, n, &m);
            CHECK(st != DLRT_OK && m == NULL && dlrt_last_error()[0] != '\0', "model %zu truncated to %zu bytes: %s", k, n,
                  dlrt_status_name(st));
            if (st == DLRT_OK) dlrt_model_free(m);
        }
        free(file);
    }
}

/* A flip anywhere must be caught by a checksum. With the checksums repaired,
 * the validator behind them must refuse it or accept it and run safely. */
static void every_bit_flip_of(uint8_t *(*make)(size_t *)) {
    size_t size;
    uint8_t *file = make(&size);
    uint8_t *copy = malloc(size);
    int accepted_after_fix = 0;
    for (size_t bit = 0; bit < size * 8; bit++) {
        memcpy(copy, file, size);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        dlrt_model *m = NULL;
        dlrt_status st = load_copy(copy, size, &m);
        CHECK(st != DLRT_OK, "flip of bit %zu accepted without a checksum error", bit);
        if (st == DLRT_OK) dlrt_model_free(m);
        if (bit / 8 == 36 || bit / 8 == 37 || bit / 8 == 38 || bit / 8 == 39) continue; /* the header CRC itself */
        tb_fix_crcs(copy, size);
        st = load_copy(copy, size, &m);
        if (st == DLRT_OK) {
            accepted_after_fix++;
            dlrt_session *s = NULL;
            dlrt_status created = dlrt_session_create(m, NULL, &s);
            CHECK(created != DLRT_ERR_INTERNAL, "flip %zu: loaded but the session refused it: %s", bit, dlrt_last_error());
            if (created == DLRT_OK) {
                /* struct_size set: left uninitialised, a small garbage value made the call fail and the run
                 * below use garbage dims (found by valgrind, make test-valgrind-ci). */
                dlrt_tensor_info in = {.struct_size = sizeof in};
                CHECK(dlrt_session_input_info(s, 0, &in) == DLRT_OK, "flip %zu: input info: %s", bit, dlrt_last_error());
                float x[64] = {0};
                size_t count = 1;
                for (uint32_t d = 0; d < in.rank; d++) count *= (size_t)in.shape[d];
                if (count <= 64 && dlrt_session_set_input(s, 0, x, count) == DLRT_OK) CHECK(dlrt_session_run(s) == DLRT_OK, "run");
                dlrt_session_free(s);
            }
            dlrt_model_free(m);
        } else {
            CHECK(dlrt_last_error()[0] != '\0', "flip %zu refused without a message", bit);
        }
    }
    /* Weight bytes and names can flip harmlessly: some must get through, proving the repair works. */
    CHECK(accepted_after_fix > 0, "no repaired flip was accepted");
    free(copy);
    free(file);
}

TEST(every_bit_flip_is_refused_or_safe) {
    for (size_t k = 0; k < CORPUS_SIZE; k++) every_bit_flip_of(corpus[k]);
}

/* Rewrites the u32 at `offset` inside section `kind` and repairs checksums. */
static void patch_u32(uint8_t *file, size_t size, uint32_t kind, uint64_t offset, uint32_t value) {
    uint64_t at, len;
    if (!tb_section(file, kind, &at, &len)) return;
    for (int i = 0; i < 4; i++) file[at + offset + i] = (uint8_t)(value >> (8 * i));
    tb_fix_crcs(file, size);
}

TEST(huge_counts_are_refused_before_allocation) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    uint8_t *copy = malloc(size);
    const struct { uint32_t kind; const char *needle; } cases[] = {{1, "META"}, {2, "TENSORS"}};
    for (size_t i = 0; i < 2; i++) {
        memcpy(copy, file, size);
        patch_u32(copy, size, cases[i].kind, 0, 0xFFFFFFFFu);
        expect_refused(copy, size, DLRT_ERR_FORMAT, cases[i].needle);
    }
    /* GRAPH: input count, then the node count after "1 id, 1 output id". */
    memcpy(copy, file, size);
    patch_u32(copy, size, 3, 0, 0xFFFFFFFFu);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "input count");
    memcpy(copy, file, size);
    patch_u32(copy, size, 3, 16, 0x7FFFFFFFu);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "node count");
    /* The first node's attribute count (node header: op, version, nin, nout, nattr). */
    memcpy(copy, file, size);
    patch_u32(copy, size, 3, 20 + 12, 1000000);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "caps");
    /* Section count in the header. */
    memcpy(copy, file, size);
    copy[32] = 200;
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "section count");
    free(copy);
    free(file);
}

TEST(huge_dims_are_refused) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 4, (uint32_t[]){0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, 2});
    uint32_t y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 1, 1});
    tb_node(&m, 7, 1, (uint32_t[]){x}, y, 0, NULL);
    tb_output(&m, y);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "2^34 bytes");
    free(file);
    tb_free(&m);

    /* Each dim fits, but the conv output would be enormous. */
    tb_init(&m);
    x = tb_input(&m, "x", 4, (uint32_t[]){1, 1, 1, 1});
    float w = 1.0f;
    uint32_t cw = tb_constant(&m, "w", 4, (uint32_t[]){1, 1, 1, 1}, &w);
    y = tb_tensor(&m, "y", 4, (uint32_t[]){1, 1, 1, 1});
    tb_attr pads[] = {{2, 1, 4, {1000000, 1000000, 1000000, 1000000}, {0}}};
    tb_node(&m, 1, 2, (uint32_t[]){x, cw}, y, 1, pads);
    tb_output(&m, y);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_SHAPE, "larger than 2^34");
    free(file);
    tb_free(&m);

    /* A zero dimension. */
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 0});
    y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 0});
    tb_node(&m, 7, 1, (uint32_t[]){x}, y, 0, NULL);
    tb_output(&m, y);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "outside 1..2^31-1");
    free(file);
    tb_free(&m);
}

TEST(out_of_range_and_overlapping_offsets_are_refused) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    uint8_t *copy = malloc(size);
    /* Section table entry 0 is META: point it past the end, then onto TENSORS. */
    memcpy(copy, file, size);
    for (int i = 0; i < 8; i++) copy[64 + 8 + i] = (uint8_t)((uint64_t)size * 2 >> (8 * i));
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "outside the file");
    uint64_t toff, tsize;
    tb_section(file, 2, &toff, &tsize);
    memcpy(copy, file, size);
    for (int i = 0; i < 8; i++) copy[64 + 8 + i] = (uint8_t)(toff >> (8 * i));
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "overlaps");
    /* A section inside the header. */
    memcpy(copy, file, size);
    for (int i = 0; i < 8; i++) copy[64 + 8 + i] = (uint8_t)((uint64_t)8 >> (8 * i));
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_FORMAT, "outside the file body");
    free(copy);
    free(file);

    /* Tensor data outside DATA, misaligned, or overlapping another tensor's. */
    float v[32] = {0};
    for (int variant = 0; variant < 3; variant++) {
        tb_model m;
        tb_init(&m);
        uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 16});
        uint32_t y = tb_tensor(&m, "y", 2, (uint32_t[]){1, 2});
        uint32_t w = tb_constant(&m, "w", 2, (uint32_t[]){2, 16}, v);
        uint32_t b = tb_constant(&m, "b", 1, (uint32_t[]){2}, v);
        tb_node(&m, 3, 3, (uint32_t[]){x, w, b}, y, 0, NULL);
        tb_output(&m, y);
        size_t n;
        uint8_t *f = tb_build(&m, &n);
        uint64_t at, len;
        tb_section(f, 2, &at, &len);
        /* Tensor 'b' is the last record: its data offset is 16 bytes from the section end. */
        uint64_t field = at + len - 16;
        uint64_t value = variant == 0 ? 1u << 20 : variant == 1 ? 68 : 0;
        for (int i = 0; i < 8; i++) f[field + i] = (uint8_t)(value >> (8 * i));
        tb_fix_crcs(f, n);
        expect_refused(f, n, DLRT_ERR_FORMAT, variant == 0 ? "outside DATA" : variant == 1 ? "aligned" : "overlap");
        free(f);
        tb_free(&m);
    }
}

/* Node 0 reads what node 1 writes: a cycle in file order. */
TEST(cyclic_and_dangling_references_are_refused) {
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    uint32_t b = tb_tensor(&m, "b", 2, (uint32_t[]){1, 4});
    tb_node(&m, 14, 2, (uint32_t[]){x, b}, a, 0, NULL);
    tb_node(&m, 7, 1, (uint32_t[]){a}, b, 0, NULL);
    tb_output(&m, b);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "not produced by an earlier node");
    free(file);
    tb_free(&m);

    /* A node reading its own output. */
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 14, 2, (uint32_t[]){x, a}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "cycle");
    free(file);
    tb_free(&m);

    /* A reference past the tensor table, and an output written twice. */
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){99}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "refers to tensor 99");
    free(file);
    tb_free(&m);

    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_node(&m, 9, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "already");
    free(file);
    tb_free(&m);

    /* A graph output nobody produces. */
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    b = tb_tensor(&m, "b", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, b);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "not produced by any node");
    free(file);
    tb_free(&m);
}

TEST(unknown_ops_versions_and_attributes_are_refused) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    uint64_t at, len;
    tb_section(file, 3, &at, &len);
    /* First node header at GRAPH offset 20: u16 op, u16 version. */
    uint8_t *copy = malloc(size);
    memcpy(copy, file, size);
    copy[at + 20] = 200;
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_UNSUPPORTED, "unknown op code 200");
    memcpy(copy, file, size);
    copy[at + 22] = 2;
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_UNSUPPORTED, "node 0 (conv2d): op version 2");
    /* Version 2 of the format. */
    memcpy(copy, file, size);
    copy[8] = 2;
    tb_fix_crcs(copy, size);
    expect_refused(copy, size, DLRT_ERR_UNSUPPORTED, "format version 2");
    free(copy);
    free(file);

    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_attr kernel[] = {{10, 1, 2, {2, 2}, {0}}};
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 1, kernel); /* relu takes no kernel */
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "node 0 (relu): attribute key 10 (kernel) is not accepted");
    free(file);
    tb_free(&m);

    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_attr bad_act[] = {{5, 1, 1, {9}, {0}}};
    tb_node(&m, 14, 2, (uint32_t[]){x, x}, a, 1, bad_act);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "activation must be 0..5");
    free(file);
    tb_free(&m);
}

TEST(shapes_that_do_not_infer_are_refused) {
    /* The stored output shape disagrees with inference. */
    tb_model m;
    tb_init(&m);
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 5});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_SHAPE, "tensor 'a': stored shape [1,5] but the graph gives [1,4]");
    free(file);
    tb_free(&m);

    /* Dense weight that does not fit the input. */
    float v[12] = {0};
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t w = tb_constant(&m, "w", 2, (uint32_t[]){3, 3}, v);
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 3});
    tb_node(&m, 3, 2, (uint32_t[]){x, w}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_SHAPE, "node 0 (dense)");
    free(file);
    tb_free(&m);

    /* A weight that is not a constant. */
    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t x2 = tb_input(&m, "x2", 2, (uint32_t[]){3, 4});
    a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 3});
    tb_node(&m, 3, 2, (uint32_t[]){x, x2}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "must be a constant");
    free(file);
    tb_free(&m);
}

TEST(duplicate_names_and_keys_are_refused) {
    tb_model m;
    tb_init(&m);
    tb_meta_string(&m, "k", "1");
    tb_meta_string(&m, "k", "2");
    uint32_t x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    uint32_t a = tb_tensor(&m, "a", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    size_t size;
    uint8_t *file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "key 'k' appears twice");
    free(file);
    tb_free(&m);

    tb_init(&m);
    x = tb_input(&m, "x", 2, (uint32_t[]){1, 4});
    a = tb_tensor(&m, "x", 2, (uint32_t[]){1, 4});
    tb_node(&m, 7, 1, (uint32_t[]){x}, a, 0, NULL);
    tb_output(&m, a);
    file = tb_build(&m, &size);
    expect_refused(file, size, DLRT_ERR_FORMAT, "name 'x' appears twice");
    free(file);
    tb_free(&m);
}

TEST(checksum_mismatch_names_the_section) {
    size_t size;
    uint8_t *file = tb_small_model(&size);
    uint64_t at, len;
    tb_section(file, 4, &at, &len);
    file[at + 3] ^= 0x40;
    expect_refused(file, size, DLRT_ERR_CHECKSUM, "section DATA");
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_SKIP_DATA_CHECKSUM;
    dlrt_model *m = NULL;
    CHECK(dlrt_model_load_memory(file, size, &o, &m) == DLRT_OK, "skipping the DATA checksum: %s", dlrt_last_error());
    dlrt_model_free(m);
    free(file);
}

int main(void) {
    RUN(small_model_loads_and_describes_itself);
    RUN(zero_copy_needs_alignment_or_copy_flag);
    RUN(load_file_maps_and_reports_io_errors);
    RUN(truncated_at_every_byte_is_refused);
    RUN(every_bit_flip_is_refused_or_safe);
    RUN(huge_counts_are_refused_before_allocation);
    RUN(huge_dims_are_refused);
    RUN(out_of_range_and_overlapping_offsets_are_refused);
    RUN(cyclic_and_dangling_references_are_refused);
    RUN(unknown_ops_versions_and_attributes_are_refused);
    RUN(shapes_that_do_not_infer_are_refused);
    RUN(duplicate_names_and_keys_are_refused);
    RUN(checksum_mismatch_names_the_section);
    return test_summary("format");
}
