/*
 * The MANIFEST of a hostile corpus folder (Tests/Fixtures/hostile/...): one
 * line per file, tab-separated fields, the file name first; lines starting
 * with '#' are comments. Shared by the model test (test_hostile_corpus) and
 * the image test (Tests/CImageCodecsTests/test_hostile_images).
 */
#ifndef DLRT_HOSTILE_MANIFEST_H
#define DLRT_HOSTILE_MANIFEST_H

#define HM_MAX_FIELDS 4
#define HM_FIELD_CAPACITY 256

typedef struct hm_line {
    char field[HM_MAX_FIELDS][HM_FIELD_CAPACITY];
} hm_line;

/**
 * Reads up to `max` lines of exactly `fields` fields from `dir`/MANIFEST.
 * Returns the count, or -1 (with a message on stderr) when the file is missing
 * or a line has another number of fields or a field too long.
 */
int hm_read(const char *dir, int fields, hm_line *lines, int max);

/**
 * Counts the files in `dir` other than MANIFEST and dot files (into *present),
 * printing each one that no line names. Returns how many are unlisted, or -1
 * when the folder cannot be read.
 */
int hm_unlisted(const char *dir, const hm_line *lines, int count, int *present);

#endif
