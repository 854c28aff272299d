/*
 * The committed hostile models (Tests/Fixtures/hostile/models, written by
 * tools/hostile/make_models.c): each one, loaded from its file and from an
 * exact-size copy in memory, ends with the status its MANIFEST line names, a
 * NULL model and a message containing the named text; the process then goes
 * on to load and run a valid model. Every .dlrt in the folder must have a
 * MANIFEST line, so a file added without an expectation fails here.
 */
#include <stdint.h>

#include "dlrt.h"
#include "hostile_manifest.h"
#include "test.h"

#define CORPUS_DIR "Tests/Fixtures/hostile/models"
#define MAX_CASES 256

/* MANIFEST fields: file, phase ("load" or "selftest"), status name, text the message must contain. */
enum { FILE_NAME, PHASE, STATUS, NEEDLE };
static hm_line cases[MAX_CASES];
static int case_count;

TEST(manifest_reads) {
    case_count = hm_read(CORPUS_DIR, 4, cases, MAX_CASES);
    CHECK(case_count >= 40, "%d cases in %s/MANIFEST, expected at least 40", case_count, CORPUS_DIR);
    if (case_count < 0) case_count = 0;
}

TEST(every_file_has_an_expectation) {
    int present = 0;
    int unlisted = hm_unlisted(CORPUS_DIR, cases, case_count, &present);
    CHECK(unlisted == 0, "%d files in %s without a MANIFEST line", unlisted, CORPUS_DIR);
    CHECK(present == case_count, "%d files but %d MANIFEST lines", present, case_count);
}

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *size = n > 0 ? (size_t)n : 0;
    *data = malloc(*size ? *size : 1); /* exact size: a read past the end is one a memory checker sees */
    int ok = *data != NULL && fread(*data, 1, *size, f) == *size;
    fclose(f);
    if (!ok) free(*data);
    return ok ? 0 : -1;
}

/* Loads by path (mapped) or from a copy of the bytes; the status must be `want` either way. */
static dlrt_status load(const char *path, int from_memory, dlrt_model **out) {
    if (!from_memory) return dlrt_model_load_file(path, NULL, out);
    uint8_t *data;
    size_t size;
    if (read_file(path, &data, &size) != 0) return DLRT_ERR_IO;
    dlrt_load_options o;
    dlrt_load_options_defaults(&o);
    o.flags = DLRT_LOAD_COPY;
    dlrt_status st = dlrt_model_load_memory(data, size, &o, out);
    free(data);
    return st;
}

/* Runs a loaded model once on zeros: a refusal elsewhere must leave the library able to do this. */
static void run_once(const dlrt_model *m, const char *file) {
    dlrt_session *s = NULL;
    dlrt_status st = dlrt_session_create(m, NULL, &s);
    CHECK(st == DLRT_OK, "%s: session: %s", file, dlrt_last_error());
    if (st != DLRT_OK) return;
    dlrt_tensor_info in = {.struct_size = sizeof in};
    CHECK(dlrt_session_input_info(s, 0, &in) == DLRT_OK, "%s: input info", file);
    size_t count = 1;
    for (uint32_t d = 0; d < in.rank; d++) count *= (size_t)in.shape[d];
    float *x = calloc(count, sizeof *x);
    CHECK(dlrt_session_set_input(s, 0, x, count) == DLRT_OK, "%s: set input: %s", file, dlrt_last_error());
    CHECK(dlrt_session_run(s) == DLRT_OK, "%s: run: %s", file, dlrt_last_error());
    free(x);
    dlrt_session_free(s);
}

static void check_case(const hm_line *line, int from_memory) {
    const char *file = line->field[FILE_NAME], *phase = line->field[PHASE], *status = line->field[STATUS],
               *needle = line->field[NEEDLE];
    char path[sizeof CORPUS_DIR + HM_FIELD_CAPACITY];
    snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, file);
    const char *how = from_memory ? "memory" : "file";
    int want_load_ok = strcmp(phase, "selftest") == 0 || strcmp(status, "DLRT_OK") == 0;
    dlrt_model *m = (dlrt_model *)&m; /* not NULL: a failure must clear it */
    dlrt_status st = load(path, from_memory, &m);
    if (!want_load_ok) {
        CHECK(strcmp(dlrt_status_name(st), status) == 0, "%s (%s): got %s (%s), want %s", file, how,
              dlrt_status_name(st), dlrt_last_error(), status);
        CHECK(m == NULL, "%s (%s): the model must be NULL after a refusal", file, how);
        CHECK(dlrt_last_error()[0] != '\0', "%s (%s): refused without a message", file, how);
        CHECK(strstr(dlrt_last_error(), needle) != NULL, "%s (%s): message '%s' lacks '%s'", file, how,
              dlrt_last_error(), needle);
        if (st == DLRT_OK) dlrt_model_free(m);
        return;
    }
    CHECK(st == DLRT_OK, "%s (%s): %s", file, how, dlrt_last_error());
    if (st != DLRT_OK) return;
    if (strcmp(phase, "selftest") == 0) {
        st = dlrt_model_selftest(m, NULL);
        CHECK(strcmp(dlrt_status_name(st), status) == 0, "%s (%s): self-test gave %s (%s), want %s", file, how,
              dlrt_status_name(st), dlrt_last_error(), status);
        if (st != DLRT_OK)
            CHECK(dlrt_last_error()[0] != '\0' && strstr(dlrt_last_error(), needle) != NULL,
                  "%s: self-test message '%s' lacks '%s'", file, dlrt_last_error(), needle);
    }
    run_once(m, file);
    dlrt_model_free(m);
}

TEST(every_hostile_model_is_refused_as_the_manifest_says) {
    for (int i = 0; i < case_count; i++) {
        check_case(&cases[i], 0);
        check_case(&cases[i], 1);
    }
}

/* After every refusal above, the valid models still load and run. */
TEST(the_process_goes_on) {
    int controls = 0;
    for (int i = 0; i < case_count; i++) {
        if (strcmp(cases[i].field[STATUS], "DLRT_OK") != 0) continue;
        controls++;
        check_case(&cases[i], 0);
    }
    CHECK(controls >= 1, "the corpus has no valid control model");
}

int main(void) {
    RUN(manifest_reads);
    RUN(every_file_has_an_expectation);
    RUN(every_hostile_model_is_refused_as_the_manifest_says);
    RUN(the_process_goes_on);
    return test_summary("hostile_corpus");
}
