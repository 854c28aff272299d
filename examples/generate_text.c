/*
 * generate_text: sample text from a character model (dlexport of a
 * `dltrain --model charlstm` checkpoint) through the C ABI alone, one
 * character per run: the session keeps the LSTM state between runs
 * (DLRT_SESSION_KEEP_STATE), so each new character costs one step however
 * long the text already is.
 *
 *   cc generate_text.c $(pkg-config --cflags --libs dlrt) -lm -o generate_text
 *   ./generate_text models/shakespeare-charlstm.dlrt "ROMEO:" 300 0.8 7
 *
 * Arguments: model, prime, length, temperature (0: always the likeliest), seed.
 * The sampling is dlgen's (docs/RECURRENT.md): softmax(logits / temperature)
 * in double, shifted by the largest logit, drawn with one SplitMix64 53-bit
 * uniform per character, so `dlgen MODEL --prime P --length N --temperature T
 * --seed S` prints the same text.
 */
#include <dlrt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, dlrt_status status) {
    fprintf(stderr, "generate_text: %s: %s: %s\n", what, dlrt_status_name(status), dlrt_last_error());
    return 1;
}

static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The token drawn from softmax(logits / temperature); the largest logit at temperature 0. */
static size_t draw(const float *logits, size_t count, double temperature, uint64_t *rng) {
    size_t best = 0;
    for (size_t i = 1; i < count; i++)
        if (logits[i] > logits[best]) best = i;
    if (temperature == 0) return best;
    double total = 0;
    for (size_t i = 0; i < count; i++) total += exp(((double)logits[i] - logits[best]) / temperature);
    double remaining = (double)(splitmix64(rng) >> 11) * 0x1p-53 * total;
    size_t last = best;
    for (size_t i = 0; i < count; i++) {
        double weight = exp(((double)logits[i] - logits[best]) / temperature);
        if (weight > 0) last = i;
        remaining -= weight;
        if (remaining < 0) return i;
    }
    return last;
}

/* The vocabulary entry (one UTF-8 character) that `text` starts with; its byte length in *used. */
static long lookup(const char **chars, const size_t *lengths, size_t count, const char *text, size_t *used) {
    for (size_t i = 0; i < count; i++) {
        if (lengths[i] > 0 && strncmp(text, chars[i], lengths[i]) == 0) {
            *used = lengths[i];
            return (long)i;
        }
    }
    return -1;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: generate_text MODEL PRIME LENGTH TEMPERATURE SEED\n");
        return 2;
    }
    const char *prime = argv[2];
    long length = strtol(argv[3], NULL, 10);
    double temperature = strtod(argv[4], NULL);
    uint64_t rng = strtoull(argv[5], NULL, 10);
    if (length < 0 || !(temperature >= 0) || !isfinite(temperature) || prime[0] == '\0') {
        fprintf(stderr, "generate_text: need a non-empty prime, LENGTH >= 0 and a finite TEMPERATURE >= 0\n");
        return 2;
    }

    dlrt_model *model = NULL;
    dlrt_status st = dlrt_model_load_file(argv[1], NULL, &model);
    if (st != DLRT_OK) return fail(argv[1], st);
    size_t count = 0;
    if ((st = dlrt_model_meta_length(model, "vocabulary", &count)) != DLRT_OK) {
        dlrt_model_free(model);
        return fail("metadata 'vocabulary'", st);
    }
    const char **chars = calloc(count, sizeof *chars);
    size_t *lengths = calloc(count, sizeof *lengths);
    float *logits = calloc(count, sizeof *logits);
    dlrt_session *session = NULL;
    int result = 1;
    if (chars == NULL || lengths == NULL || logits == NULL) {
        fprintf(stderr, "generate_text: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        if ((st = dlrt_model_meta_string(model, "vocabulary", i, &chars[i], &lengths[i])) != DLRT_OK) {
            result = fail("metadata 'vocabulary'", st);
            goto done;
        }
    }

    dlrt_session_options options;
    dlrt_session_options_defaults(&options);
    options.batch = 1;
    options.flags |= DLRT_SESSION_KEEP_STATE;
    if ((st = dlrt_session_create(model, &options, &session)) != DLRT_OK) {
        result = fail("session", st);
        goto done;
    }

    /* Feed the prime one character per run; the state carries the text so far. */
    fputs(prime, stdout);
    for (const char *p = prime; *p != '\0';) {
        size_t used = 0;
        long id = lookup(chars, lengths, count, p, &used);
        if (id < 0) {
            fprintf(stderr, "\ngenerate_text: the prime's character at byte %ld is not in the vocabulary\n", (long)(p - prime));
            goto done;
        }
        float input = (float)id;
        if ((st = dlrt_session_set_input(session, 0, &input, 1)) != DLRT_OK ||
            (st = dlrt_session_run(session)) != DLRT_OK ||
            (st = dlrt_session_get_output(session, 0, logits, count)) != DLRT_OK) {
            result = fail("run", st);
            goto done;
        }
        p += used;
    }
    for (long n = 0; n < length; n++) {
        size_t id = draw(logits, count, temperature, &rng);
        fwrite(chars[id], 1, lengths[id], stdout);
        if (n + 1 == length) break;
        float input = (float)id;
        if ((st = dlrt_session_set_input(session, 0, &input, 1)) != DLRT_OK ||
            (st = dlrt_session_run(session)) != DLRT_OK ||
            (st = dlrt_session_get_output(session, 0, logits, count)) != DLRT_OK) {
            result = fail("run", st);
            goto done;
        }
    }
    fputc('\n', stdout);
    result = 0;
done:
    dlrt_session_free(session);
    free(logits);
    free(lengths);
    free(chars);
    dlrt_model_free(model);
    return result;
}
