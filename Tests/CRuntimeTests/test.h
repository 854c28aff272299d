/*
 * A minimal test harness: every test_*.c is its own program.
 *   TEST(name) { CHECK(cond, "fmt", ...); }
 *   int main(void) { RUN(name); ...; return test_summary("file"); }
 * Each program prints "N passed, N failed" and exits non-zero on failure.
 */
#ifndef DLRT_TEST_H
#define DLRT_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static int test_checks_failed_;
static int test_passed_, test_failed_;

#define TEST(name) static void name(void)

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            test_checks_failed_++;                                              \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)

#define RUN(name)                                                               \
    do {                                                                        \
        int before_ = test_checks_failed_;                                      \
        name();                                                                 \
        if (test_checks_failed_ == before_) { test_passed_++; }                 \
        else { test_failed_++; fprintf(stderr, "FAIL %s\n", #name); }           \
    } while (0)

static inline int test_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, test_passed_, test_failed_);
    return test_failed_ ? 1 : 0;
}

/* A small deterministic generator, so failures reproduce. */
static inline unsigned long long test_rng_next(unsigned long long *s) {
    *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
    return *s;
}
/* Uniform in [-1, 1). */
static inline float test_rng_float(unsigned long long *s) {
    return (float)((double)(test_rng_next(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}

#endif
