/*
 * Liveness-based activation memory planning. Each buffer lives from the step
 * that defines it to the last step that reads it; the planner replays that
 * timeline through a best-fit allocator over offsets, so buffers whose lives
 * do not overlap share memory. The peak is the exact arena size.
 */
#ifndef DK_ARENA_PLAN_H
#define DK_ARENA_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

typedef struct dk_live_range {
    uint64_t bytes;   /* 0: not planned */
    int64_t first;    /* defining step; -1 for graph inputs */
    int64_t last;     /* last reading step; step_count keeps it to the end */
} dk_live_range;

/** Every offset is 64-byte aligned. Returns 0, or -1 when out of memory. */
int dk_plan_arena(const dk_live_range *ranges, size_t count, int64_t step_count, uint64_t *offsets, uint64_t *peak);

#pragma GCC visibility pop
#endif
