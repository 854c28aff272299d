/* Loading models (mmap or caller memory) and reading what they describe. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/cpu.h"
#include "../format/cursor.h"
#include "session.h"
#include "status.h"

#define DLRT_VERSION_STRING "0.2.0"

uint32_t dlrt_abi_version(void) { return DLRT_ABI_VERSION; }
const char *dlrt_version_string(void) { return DLRT_VERSION_STRING; }
const char *dlrt_isa(void) { return dk_isa_name(dk_isa_active()); }

void dlrt_load_options_defaults(dlrt_load_options *o) {
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

static dlrt_status read_flags(const dlrt_load_options *o, uint32_t *flags) {
    *flags = 0;
    if (o == NULL) return DLRT_OK;
    if (o->struct_size < offsetof(dlrt_load_options, flags) + sizeof o->flags || o->struct_size > sizeof *o)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "load options: struct_size %zu is not a known size (call dlrt_load_options_defaults)", o->struct_size);
    if (o->flags & ~(uint32_t)(DLRT_LOAD_COPY | DLRT_LOAD_SKIP_DATA_CHECKSUM))
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "load options: unknown flag bits 0x%x", o->flags);
    *flags = o->flags;
    return DLRT_OK;
}

void dlrt_model_free(dlrt_model *m) {
    if (m == NULL) return;
    dk_model_release(m);
    if (m->mapping != NULL) munmap(m->mapping, m->image_size);
    free(m->owned_copy);
    free(m);
}

/* Parses an image the model will reference; on failure frees the model (and the image it owns). */
static dlrt_status finish_load(dlrt_model *m, const uint8_t *image, size_t size, uint32_t flags, dlrt_model **out) {
    m->image_size = size;
    dlrt_status st = dk_model_parse(m, image, size, flags);
    if (st != DLRT_OK) {
        dlrt_model_free(m);
        return st;
    }
    *out = m;
    return DLRT_OK;
}

dlrt_status dlrt_model_load_memory(const void *data, size_t size, const dlrt_load_options *options, dlrt_model **out) {
    dk_clear_error();
    if (out == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_load_memory: out_model is NULL");
    *out = NULL;
    if (data == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_load_memory: data is NULL");
    uint32_t flags;
    dlrt_status st = read_flags(options, &flags);
    if (st != DLRT_OK) return st;
    dlrt_model *m = calloc(1, sizeof *m);
    if (m == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "model: out of memory");
    const uint8_t *image = data;
    if (flags & DLRT_LOAD_COPY) {
        m->owned_copy = aligned_alloc(64, (size + 63) & ~(size_t)63);
        if (m->owned_copy == NULL && size > 0) {
            free(m);
            return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "model: cannot copy %zu bytes", size);
        }
        if (size > 0) memcpy(m->owned_copy, data, size);
        image = m->owned_copy;
    } else if ((uintptr_t)data % 64 != 0) {
        free(m);
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT,
                       "dlrt_model_load_memory: data must be 64-byte aligned for zero-copy use (or pass DLRT_LOAD_COPY)");
    }
    return finish_load(m, image, size, flags, out);
}

dlrt_status dlrt_model_load_file(const char *path, const dlrt_load_options *options, dlrt_model **out) {
    dk_clear_error();
    if (out == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_load_file: out_model is NULL");
    *out = NULL;
    if (path == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_load_file: path is NULL");
    uint32_t flags;
    dlrt_status st = read_flags(options, &flags);
    if (st != DLRT_OK) return st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dk_fail(DLRT_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        close(fd);
        return dk_fail(DLRT_ERR_IO, "%s: not a regular file", path);
    }
    if (info.st_size < 64) {
        close(fd);
        return dk_fail(DLRT_ERR_FORMAT, "%s: %lld bytes is shorter than the 64-byte header", path, (long long)info.st_size);
    }
    size_t size = (size_t)info.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return dk_fail(DLRT_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
    dlrt_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        munmap(map, size);
        return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "model: out of memory");
    }
    m->mapping = map;
    return finish_load(m, map, size, flags, out);
}

size_t dlrt_model_input_count(const dlrt_model *m) { return m ? m->input_count : 0; }
size_t dlrt_model_output_count(const dlrt_model *m) { return m ? m->output_count : 0; }
size_t dlrt_model_node_count(const dlrt_model *m) { return m ? m->node_count : 0; }
size_t dlrt_model_tensor_count(const dlrt_model *m) { return m ? m->tensor_count : 0; }

const char *dlrt_model_node_op(const dlrt_model *m, size_t index) {
    if (m == NULL || index >= m->node_count) return NULL;
    return dk_op_name(m->nodes[index].op);
}

dlrt_status dk_tensor_info(const dlrt_model *m, uint32_t t, dlrt_tensor_info *info) {
    if (info->struct_size != 0 && info->struct_size < sizeof *info)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "tensor info: struct_size %zu is smaller than this library's %zu", info->struct_size, sizeof *info);
    const dk_tensor *tensor = &m->tensors[t];
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    info->name = tensor->name;
    info->dtype = tensor->dtype;
    info->rank = tensor->rank;
    memcpy(info->shape, tensor->dims, sizeof info->shape);
    info->quantization = tensor->quantization;
    info->quant_axis = tensor->quant_axis;
    info->quant_count = tensor->quant_count;
    info->scales = tensor->scales;
    info->zero_points = tensor->zero_points;
    return DLRT_OK;
}

static dlrt_status tensor_info_at(const dlrt_model *m, size_t index, const uint32_t *ids, size_t count, const char *what,
                                  dlrt_tensor_info *info) {
    dk_clear_error();
    if (m == NULL || info == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "%s info: NULL argument", what);
    if (index >= count) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "%s index %zu out of range (%zu)", what, index, count);
    return dk_tensor_info(m, ids ? ids[index] : (uint32_t)index, info);
}

dlrt_status dlrt_model_input_info(const dlrt_model *m, size_t i, dlrt_tensor_info *info) {
    return tensor_info_at(m, i, m ? m->inputs : NULL, m ? m->input_count : 0, "input", info);
}
dlrt_status dlrt_model_output_info(const dlrt_model *m, size_t i, dlrt_tensor_info *info) {
    return tensor_info_at(m, i, m ? m->outputs : NULL, m ? m->output_count : 0, "output", info);
}
dlrt_status dlrt_model_tensor_info(const dlrt_model *m, size_t i, dlrt_tensor_info *info) {
    return tensor_info_at(m, i, NULL, m ? m->tensor_count : 0, "tensor", info);
}

/* ---- metadata ---- */

size_t dlrt_model_meta_count(const dlrt_model *m) { return m ? m->meta_count : 0; }

dlrt_status dlrt_model_meta_entry(const dlrt_model *m, size_t index, const char **key, dlrt_meta_type *type) {
    dk_clear_error();
    if (m == NULL || key == NULL || type == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_meta_entry: NULL argument");
    if (index >= m->meta_count) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata index %zu out of range (%u)", index, m->meta_count);
    *key = m->meta[index].key;
    *type = m->meta[index].type;
    return DLRT_OK;
}

/* The entry named `key`, after checking that element `index` exists. */
static dlrt_status find_meta(const dlrt_model *m, const char *key, size_t index, const dk_meta **out) {
    dk_clear_error();
    if (m == NULL || key == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata: NULL argument");
    for (uint32_t i = 0; i < m->meta_count; i++) {
        if (strcmp(m->meta[i].key, key) != 0) continue;
        if (index >= m->meta[i].count)
            return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata '%s': index %zu out of range (%u)", key, index, m->meta[i].count);
        *out = &m->meta[i];
        return DLRT_OK;
    }
    return dk_fail(DLRT_ERR_NOT_FOUND, "metadata: no key '%s'", key);
}

dlrt_status dlrt_model_meta_length(const dlrt_model *m, const char *key, size_t *length) {
    const dk_meta *e;
    dlrt_status st = find_meta(m, key, 0, &e);
    if (st == DLRT_ERR_INVALID_ARGUMENT && m != NULL && key != NULL) st = DLRT_OK, e = NULL; /* empty array */
    if (st != DLRT_OK) return st;
    if (length == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_meta_length: NULL argument");
    *length = e ? e->count : 0;
    return DLRT_OK;
}

/* Reads element `index` of a number entry (8 little-endian bytes) into *out. */
static dlrt_status meta_number(const dlrt_model *m, const char *key, size_t index, dlrt_meta_type scalar, dlrt_meta_type array,
                               void *out) {
    const dk_meta *e;
    dlrt_status st = find_meta(m, key, index, &e);
    if (st != DLRT_OK) return st;
    if (e->type != scalar && e->type != array)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata '%s': has type %d, not the one asked for", key, (int)e->type);
    if (out == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata '%s': NULL out argument", key);
    uint64_t u = dk_le64(e->payload + index * 8);
    memcpy(out, &u, 8);
    return DLRT_OK;
}

dlrt_status dlrt_model_meta_i64(const dlrt_model *m, const char *key, size_t index, int64_t *value) {
    return meta_number(m, key, index, DLRT_META_I64, DLRT_META_I64_ARRAY, value);
}

dlrt_status dlrt_model_meta_f64(const dlrt_model *m, const char *key, size_t index, double *value) {
    return meta_number(m, key, index, DLRT_META_F64, DLRT_META_F64_ARRAY, value);
}

dlrt_status dlrt_model_meta_string(const dlrt_model *m, const char *key, size_t index, const char **data, size_t *length) {
    const dk_meta *e;
    dlrt_status st = find_meta(m, key, index, &e);
    if (st != DLRT_OK) return st;
    if (e->type != DLRT_META_STRING && e->type != DLRT_META_STRING_ARRAY)
        return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "metadata '%s': is not a string", key);
    if (data == NULL || length == NULL) return dk_fail(DLRT_ERR_INVALID_ARGUMENT, "dlrt_model_meta_string: NULL argument");
    *data = e->strings[index];
    *length = e->string_lengths[index];
    return DLRT_OK;
}
