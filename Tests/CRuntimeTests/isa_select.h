/*
 * What the int8 test programs run each case under: the instruction sets
 * (with DLRT_ISA set, as tools/run-c-tests.sh does for each in turn, the
 * scalar one and that one; without it, every one this CPU supports; a forced
 * ISA this CPU lacks is reported and skipped, never silently replaced), and
 * pools of 1, 2 and 3 threads.
 */
#ifndef DLRT_ISA_SELECT_H
#define DLRT_ISA_SELECT_H

#include "kernels.h"

typedef struct isa_set {
    dk_isa list[4]; /* scalar first */
    int count;
    dk_isa initial; /* dk_isa_active() at start, to restore */
} isa_set;

/**
 * Fills s and prints what runs and what is skipped (prefixed with `suite`).
 * Returns 0, or 1 when DLRT_ISA names an ISA this CPU cannot run: the caller
 * then exits successfully without testing anything.
 */
int isa_select(const char *suite, isa_set *s);

/** The pools every case runs on: NULL (1 thread), 2 and 3 threads. Returns 0, or -1 (and prints) on failure. */
int test_pools_create(dk_pool *pools[3]);
void test_pools_free(dk_pool *pools[3]);

#endif
