#include "hostile_manifest.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* Splits `text` at tabs into `fields` fields; returns 0 when the count or a length is wrong. */
static int split(const char *text, int fields, hm_line *line) {
    for (int f = 0; f < fields; f++) {
        size_t n = strcspn(text, f + 1 < fields ? "\t\n" : "\n");
        if (n >= HM_FIELD_CAPACITY || (f + 1 < fields && text[n] != '\t')) return 0;
        memcpy(line->field[f], text, n);
        line->field[f][n] = '\0';
        text += n + (f + 1 < fields);
    }
    return strchr(line->field[fields - 1], '\t') == NULL;
}

int hm_read(const char *dir, int fields, hm_line *lines, int max) {
    char path[1024];
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s not found (run from the repository root)\n", path);
        return -1;
    }
    char text[1024];
    int count = 0, bad = 0;
    while (fgets(text, sizeof text, f) != NULL) {
        if (text[0] == '#') continue;
        if (count == max || !split(text, fields, &lines[count])) {
            fprintf(stderr, "%s: line %d: not %d tab-separated fields (or too many lines): %s", path, count + 1, fields, text);
            bad = 1;
            break;
        }
        count++;
    }
    fclose(f);
    return bad ? -1 : count;
}

int hm_unlisted(const char *dir, const hm_line *lines, int count, int *present) {
    DIR *d = opendir(dir);
    if (d == NULL) return -1;
    int unlisted = 0;
    *present = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "MANIFEST") == 0) continue;
        ++*present;
        int listed = 0;
        for (int i = 0; i < count && !listed; i++) listed = strcmp(lines[i].field[0], e->d_name) == 0;
        if (!listed) {
            fprintf(stderr, "%s/%s has no MANIFEST line\n", dir, e->d_name);
            unlisted++;
        }
    }
    closedir(d);
    return unlisted;
}
