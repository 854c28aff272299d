#include "arena_plan.h"

#include <stdlib.h>
#include <string.h>

typedef struct block {
    uint64_t offset, size;
} block;

typedef struct free_list {
    block *blocks; /* sorted by offset, never adjacent (coalesced) */
    size_t count;
    uint64_t top;  /* everything at or above is free */
} free_list;

static uint64_t round_up(uint64_t v) { return (v + 63) & ~(uint64_t)63; }

static uint64_t allocate(free_list *f, uint64_t size) {
    size_t best = f->count;
    for (size_t i = 0; i < f->count; i++)
        if (f->blocks[i].size >= size && (best == f->count || f->blocks[i].size < f->blocks[best].size)) best = i;
    if (best < f->count) {
        uint64_t offset = f->blocks[best].offset;
        f->blocks[best].offset += size;
        f->blocks[best].size -= size;
        if (f->blocks[best].size == 0) {
            memmove(&f->blocks[best], &f->blocks[best + 1], (f->count - best - 1) * sizeof(block));
            f->count--;
        }
        return offset;
    }
    /* Grow from the top, reusing a free block that ends there. */
    if (f->count > 0 && f->blocks[f->count - 1].offset + f->blocks[f->count - 1].size == f->top) {
        uint64_t offset = f->blocks[--f->count].offset;
        f->top = offset + size;
        return offset;
    }
    uint64_t offset = f->top;
    f->top += size;
    return offset;
}

static void release(free_list *f, uint64_t offset, uint64_t size) {
    size_t i = 0;
    while (i < f->count && f->blocks[i].offset < offset) i++;
    memmove(&f->blocks[i + 1], &f->blocks[i], (f->count - i) * sizeof(block));
    f->blocks[i] = (block){offset, size};
    f->count++;
    if (i + 1 < f->count && f->blocks[i].offset + f->blocks[i].size == f->blocks[i + 1].offset) {
        f->blocks[i].size += f->blocks[i + 1].size;
        memmove(&f->blocks[i + 1], &f->blocks[i + 2], (f->count - i - 2) * sizeof(block));
        f->count--;
    }
    if (i > 0 && f->blocks[i - 1].offset + f->blocks[i - 1].size == f->blocks[i].offset) {
        f->blocks[i - 1].size += f->blocks[i].size;
        memmove(&f->blocks[i], &f->blocks[i + 1], (f->count - i - 1) * sizeof(block));
        f->count--;
    }
}

/* Buffer indices bucketed by step (counting sort): order[start[s] .. start[s+1]). */
static int bucket(const dk_live_range *r, size_t count, int64_t steps, int use_last, size_t **order, size_t **start) {
    size_t buckets = (size_t)steps + 2;
    *start = calloc(buckets + 1, sizeof(size_t));
    *order = malloc((count ? count : 1) * sizeof(size_t));
    if (*start == NULL || *order == NULL) return -1;
    for (size_t i = 0; i < count; i++)
        if (r[i].bytes) (*start)[(size_t)((use_last ? r[i].last : r[i].first) + 1) + 1]++;
    for (size_t s = 1; s <= buckets; s++) (*start)[s] += (*start)[s - 1];
    size_t *fill = calloc(buckets, sizeof(size_t));
    if (fill == NULL) return -1;
    for (size_t i = 0; i < count; i++) {
        if (!r[i].bytes) continue;
        size_t s = (size_t)((use_last ? r[i].last : r[i].first) + 1);
        (*order)[(*start)[s] + fill[s]++] = i;
    }
    free(fill);
    return 0;
}

int dk_plan_arena(const dk_live_range *ranges, size_t count, int64_t steps, uint64_t *offsets, uint64_t *peak) {
    size_t *by_first = NULL, *first_start = NULL, *by_last = NULL, *last_start = NULL;
    free_list f = {malloc((count + 1) * sizeof(block)), 0, 0};
    int rc = -1;
    if (f.blocks == NULL || bucket(ranges, count, steps, 0, &by_first, &first_start) != 0 ||
        bucket(ranges, count, steps, 1, &by_last, &last_start) != 0)
        goto done;
    for (size_t s = 0; s < (size_t)steps + 2; s++) {
        for (size_t k = first_start[s]; k < first_start[s + 1]; k++) {
            size_t i = by_first[k];
            offsets[i] = allocate(&f, round_up(ranges[i].bytes));
        }
        for (size_t k = last_start[s]; k < last_start[s + 1]; k++) {
            size_t i = by_last[k];
            release(&f, offsets[i], round_up(ranges[i].bytes));
        }
    }
    *peak = f.top;
    rc = 0;
done:
    free(f.blocks);
    free(by_first);
    free(first_start);
    free(by_last);
    free(last_start);
    return rc;
}
