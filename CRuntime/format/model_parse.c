/*
 * Parsing and validation of a .dlrt image (docs/FORMAT.md). The image is
 * hostile until proven otherwise: every count is bounded by the bytes left in
 * its section before anything is allocated, every offset is checked with
 * overflow-safe arithmetic, and every reference is resolved before use.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../runtime/int8_plan.h"
#include "../runtime/shape_infer.h"
#include "../runtime/status.h"
#include "crc32.h"
#include "cursor.h"
#include "graph_check.h"
#include "model.h"

static const uint8_t magic[8] = {0x89, 'D', 'L', 'R', 'T', 0x0D, 0x0A, 0x1A};

typedef struct section {
    uint32_t kind, flags;
    uint64_t offset, size;
    uint32_t crc;
} section;

static const char *section_name(uint32_t kind) {
    switch (kind) {
    case DK_SECTION_META: return "META";
    case DK_SECTION_TENSORS: return "TENSORS";
    case DK_SECTION_GRAPH: return "GRAPH";
    case DK_SECTION_DATA: return "DATA";
    case DK_SECTION_SELFTEST: return "SELFTEST";
    default: return "unknown";
    }
}

size_t dk_dtype_size(dlrt_dtype dtype) {
    switch (dtype) {
    case DLRT_F32: case DLRT_I32: return 4;
    case DLRT_I8: case DLRT_U8: return 1;
    }
    return 0;
}

const char *dk_dtype_name(dlrt_dtype dtype) {
    switch (dtype) {
    case DLRT_F32: return "f32";
    case DLRT_I8: return "i8";
    case DLRT_U8: return "u8";
    case DLRT_I32: return "i32";
    }
    return "unknown";
}

/* Copies a length-delimited name into a NUL-terminated string; NULL on OOM. */
static char *copy_string(const char *s, uint32_t n) {
    char *out = malloc((size_t)n + 1);
    if (out == NULL) return NULL;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* ---- header and section table ---------------------------------------------- */

static int compare_offsets(const void *a, const void *b) {
    const section *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* No checksum covers the padding between sections, so it must be zero: then
 * every byte of a valid file is either checked by a CRC or known. */
static dlrt_status check_padding(const uint8_t *img, size_t size, size_t table_end, section *all, uint32_t count) {
    qsort(all, count, sizeof *all, compare_offsets);
    uint64_t at = table_end;
    for (uint32_t i = 0; i <= count; i++) {
        uint64_t end = i < count ? all[i].offset : size;
        for (uint64_t p = at; p < end; p++)
            if (img[p] != 0) return dk_fail(DLRT_ERR_FORMAT, "padding byte at offset %llu is not zero", (unsigned long long)p);
        if (i < count) at = all[i].offset + all[i].size;
    }
    return DLRT_OK;
}

static dlrt_status parse_sections(const uint8_t *img, size_t size, uint32_t flags,
                                  section found[DK_SECTION_SELFTEST + 1]) {
    if (size < 64) return dk_fail(DLRT_ERR_FORMAT, "header: file is %zu bytes, shorter than the 64-byte header", size);
    if (memcmp(img, magic, 8) != 0) return dk_fail(DLRT_ERR_FORMAT, "header: bad magic: not a .dlrt model file");
    dk_cursor c = dk_cursor_make(img + 8, 56);
    uint16_t major = dk_read_u16(&c), minor = dk_read_u16(&c);
    uint32_t endian = dk_read_u32(&c);
    uint64_t file_size = dk_read_u64(&c), table_offset = dk_read_u64(&c);
    uint32_t count = dk_read_u32(&c), header_crc = dk_read_u32(&c);
    if (major != 1)
        return dk_fail(DLRT_ERR_UNSUPPORTED, "header: format version %u.%u is not supported (this reader: 1.x)", major, minor);
    if (endian != 0x01020304u) return dk_fail(DLRT_ERR_FORMAT, "header: endianness tag 0x%08x is not little-endian 0x01020304", endian);
    if (file_size != size)
        return dk_fail(DLRT_ERR_FORMAT, "header: file size is %zu bytes but the header says %llu (truncated or padded file)",
                       size, (unsigned long long)file_size);
    if (table_offset != 64) return dk_fail(DLRT_ERR_FORMAT, "header: section table offset %llu, expected 64", (unsigned long long)table_offset);
    if (count < 1 || count > DK_MAX_SECTIONS) return dk_fail(DLRT_ERR_FORMAT, "header: section count %u outside 1..%d", count, DK_MAX_SECTIONS);
    for (int i = 40; i < 64; i++)
        if (img[i] != 0) return dk_fail(DLRT_ERR_FORMAT, "header: reserved byte %d is not zero", i);
    size_t table_end = 64 + (size_t)count * 32;
    if (table_end > size) return dk_fail(DLRT_ERR_FORMAT, "section table: %u entries run past the end of the file", count);

    uint8_t head[64];
    memcpy(head, img, 64);
    memset(head + 36, 0, 4);
    uint32_t crc = dk_crc32(dk_crc32(0, head, 64), img + 64, table_end - 64);
    if (crc != header_crc) return dk_fail(DLRT_ERR_CHECKSUM, "header: CRC-32 mismatch over the header and section table");

    section all[DK_MAX_SECTIONS];
    memset(found, 0, sizeof(section) * (DK_SECTION_SELFTEST + 1));
    c = dk_cursor_make(img + 64, table_end - 64);
    for (uint32_t i = 0; i < count; i++) {
        section s;
        s.kind = dk_read_u32(&c);
        s.flags = dk_read_u32(&c);
        s.offset = dk_read_u64(&c);
        s.size = dk_read_u64(&c);
        s.crc = dk_read_u32(&c);
        uint32_t reserved = dk_read_u32(&c);
        const char *name = section_name(s.kind);
        if (reserved != 0 || (s.flags & ~1u) != 0)
            return dk_fail(DLRT_ERR_FORMAT, "section table: entry %u (%s) has reserved bits set", i, name);
        if (s.offset < table_end || s.offset > size || s.size > size - s.offset)
            return dk_fail(DLRT_ERR_FORMAT, "section %s: range [%llu, +%llu) lies outside the file body [%zu, %zu)", name,
                           (unsigned long long)s.offset, (unsigned long long)s.size, table_end, size);
        for (uint32_t j = 0; j < i; j++) {
            if (all[j].kind == s.kind) return dk_fail(DLRT_ERR_FORMAT, "section %s: appears twice", name);
            if (s.offset < all[j].offset + all[j].size && all[j].offset < s.offset + s.size)
                return dk_fail(DLRT_ERR_FORMAT, "section %s: overlaps section %s", name, section_name(all[j].kind));
        }
        all[i] = s;
        if (s.kind < DK_SECTION_META || s.kind > DK_SECTION_SELFTEST) {
            if (s.flags & 1u) continue;
            return dk_fail(DLRT_ERR_UNSUPPORTED, "section table: required section kind %u is unknown to this reader", s.kind);
        }
        if (s.kind == DK_SECTION_DATA && s.offset % 64 != 0)
            return dk_fail(DLRT_ERR_FORMAT, "section DATA: offset %llu is not 64-byte aligned", (unsigned long long)s.offset);
        if (!(s.kind == DK_SECTION_DATA && (flags & DLRT_LOAD_SKIP_DATA_CHECKSUM)) &&
            dk_crc32(0, img + s.offset, (size_t)s.size) != s.crc)
            return dk_fail(DLRT_ERR_CHECKSUM, "section %s: CRC-32 mismatch (corrupt file)", name);
        found[s.kind] = s;
        found[s.kind].flags |= 2u; /* present */
    }
    for (uint32_t k = DK_SECTION_META; k <= DK_SECTION_DATA; k++)
        if (!(found[k].flags & 2u)) return dk_fail(DLRT_ERR_FORMAT, "section %s: missing", section_name(k));
    return check_padding(img, size, table_end, all, count);
}

/* ---- META ------------------------------------------------------------------ */

static dlrt_status parse_meta(dlrt_model *m, dk_cursor *c) {
    uint32_t count = dk_read_u32(c);
    /* Smallest entry: key length + 1 key byte + type + 8-byte value. */
    if (c->failed || count > DK_MAX_META || count > dk_cursor_left(c) / 13)
        return dk_fail(DLRT_ERR_FORMAT, "META: entry count %u is too large for the section", count);
    m->meta = calloc(count ? count : 1, sizeof *m->meta);
    if (m->meta == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "META: out of memory");
    for (uint32_t i = 0; i < count; i++) {
        dk_meta *e = &m->meta[i];
        uint32_t key_len;
        const char *key = dk_read_string(c, DK_MAX_NAME, &key_len);
        uint32_t type = dk_read_u32(c);
        if (c->failed || key_len == 0) return dk_fail(DLRT_ERR_FORMAT, "META: entry %u: truncated or empty key", i);
        if (memchr(key, 0, key_len) != NULL) return dk_fail(DLRT_ERR_FORMAT, "META: entry %u: key contains a NUL byte", i);
        for (uint32_t j = 0; j < i; j++)
            if (strlen(m->meta[j].key) == key_len && memcmp(m->meta[j].key, key, key_len) == 0)
                return dk_fail(DLRT_ERR_FORMAT, "META: key '%.*s' appears twice", (int)key_len, key);
        e->key = copy_string(key, key_len);
        if (e->key == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "META: out of memory");
        m->meta_count = i + 1;
        e->type = (dlrt_meta_type)type;
        switch (type) {
        case DLRT_META_I64:
        case DLRT_META_F64:
            e->count = 1;
            e->payload = dk_cursor_bytes(c, 8);
            break;
        case DLRT_META_I64_ARRAY:
        case DLRT_META_F64_ARRAY:
            e->count = dk_read_u32(c);
            if (e->count > DK_MAX_META_ARRAY) c->failed = 1;
            e->payload = dk_cursor_bytes(c, (size_t)e->count * 8);
            break;
        case DLRT_META_STRING:
        case DLRT_META_STRING_ARRAY: {
            e->count = type == DLRT_META_STRING ? 1 : dk_read_u32(c);
            if (c->failed || e->count > DK_MAX_META_ARRAY || e->count > dk_cursor_left(c) / 4) {
                c->failed = 1;
                break;
            }
            e->strings = calloc(e->count ? e->count : 1, sizeof *e->strings);
            e->string_lengths = calloc(e->count ? e->count : 1, sizeof *e->string_lengths);
            if (e->strings == NULL || e->string_lengths == NULL)
                return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "META: out of memory");
            for (uint32_t s = 0; s < e->count; s++)
                e->strings[s] = dk_read_string(c, DK_MAX_META_STRING, &e->string_lengths[s]);
            break;
        }
        default:
            return dk_fail(DLRT_ERR_FORMAT, "META: key '%s': unknown value type %u", e->key, type);
        }
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "META: key '%s': value truncated or over its cap", e->key);
    }
    return DLRT_OK;
}

/* ---- TENSORS --------------------------------------------------------------- */

typedef struct data_range {
    uint64_t begin, end;
    uint32_t tensor;
} data_range;

static int compare_ranges(const void *a, const void *b) {
    const data_range *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static dlrt_status parse_tensor(dlrt_model *m, dk_cursor *c, uint32_t i, const section *data) {
    dk_tensor *t = &m->tensors[i];
    uint32_t name_len;
    const char *name = dk_read_string(c, DK_MAX_NAME, &name_len);
    if (c->failed || name_len == 0 || memchr(name, 0, name_len) != NULL)
        return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor %u: truncated, empty or invalid name", i);
    t->name = copy_string(name, name_len);
    if (t->name == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "TENSORS: out of memory");
    t->producer = -1;
    uint8_t dtype = dk_read_u8(c), rank = dk_read_u8(c), quant = dk_read_u8(c), flags = dk_read_u8(c);
    if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': truncated", t->name);
    if (dtype < DLRT_F32 || dtype > DLRT_I32) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': unknown dtype %u", t->name, dtype);
    if (rank > DLRT_MAX_RANK) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': rank %u exceeds %d", t->name, rank, DLRT_MAX_RANK);
    if (quant > DLRT_QUANT_PER_CHANNEL) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': unknown quantization kind %u", t->name, quant);
    if (flags & ~1u) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': reserved flag bits set", t->name);
    t->dtype = (dlrt_dtype)dtype;
    t->rank = rank;
    t->quantization = (dlrt_quantization)quant;
    t->quant_axis = -1;
    uint64_t elements = 1;
    for (uint32_t d = 0; d < rank; d++) {
        uint32_t dim = dk_read_u32(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': truncated shape", t->name);
        if (dim < 1 || dim > 0x7FFFFFFFu) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': dim %u is %u, outside 1..2^31-1", t->name, d, dim);
        t->dims[d] = dim;
        elements *= dim; /* each factor < 2^31 and the running product is capped below, so no overflow */
        if (elements * dk_dtype_size(t->dtype) > DK_MAX_TENSOR_BYTES)
            return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': more than 2^34 bytes", t->name);
    }
    if (quant != DLRT_QUANT_NONE) {
        int32_t axis = dk_read_i32(c);
        uint32_t qcount = dk_read_u32(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': truncated quantization", t->name);
        if (quant == DLRT_QUANT_PER_TENSOR ? (axis != -1 || qcount != 1)
                                           : (axis < 0 || (uint32_t)axis >= rank || qcount != t->dims[axis]))
            return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': quantization axis %d / count %u do not fit its shape", t->name, axis, qcount);
        if ((uint64_t)qcount * 8 > dk_cursor_left(c)) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': truncated scales", t->name);
        t->quant_axis = axis;
        t->quant_count = qcount;
        t->scales = malloc((size_t)qcount * sizeof(float));
        t->zero_points = malloc((size_t)qcount * sizeof(int32_t));
        if (t->scales == NULL || t->zero_points == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "TENSORS: out of memory");
        for (uint32_t q = 0; q < qcount; q++) {
            t->scales[q] = dk_read_f32(c);
            if (!isfinite(t->scales[q]) || !(t->scales[q] > 0.0f))
                return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': scale %u is not finite and positive", t->name, q);
        }
        int32_t lo = dtype == DLRT_I8 ? -128 : dtype == DLRT_U8 ? 0 : INT32_MIN;
        int32_t hi = dtype == DLRT_I8 ? 127 : dtype == DLRT_U8 ? 255 : INT32_MAX;
        for (uint32_t q = 0; q < qcount; q++) {
            t->zero_points[q] = dk_read_i32(c);
            if (t->zero_points[q] < lo || t->zero_points[q] > hi)
                return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': zero point %d outside the dtype's range", t->name, t->zero_points[q]);
        }
    }
    if (flags & 1u) {
        uint64_t offset = dk_read_u64(c), size = dk_read_u64(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': truncated data reference", t->name);
        if (offset % 64 != 0) return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': data offset %llu is not 64-byte aligned", t->name, (unsigned long long)offset);
        if (size != elements * dk_dtype_size(t->dtype))
            return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': data size %llu does not match its shape (%llu bytes)", t->name,
                           (unsigned long long)size, (unsigned long long)(elements * dk_dtype_size(t->dtype)));
        if (offset > data->size || size > data->size - offset)
            return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor '%s': data [%llu, +%llu) lies outside DATA (%llu bytes)", t->name,
                           (unsigned long long)offset, (unsigned long long)size, (unsigned long long)data->size);
        t->data = m->image + data->offset + offset;
        t->data_size = size;
    }
    return DLRT_OK;
}

static dlrt_status parse_tensors(dlrt_model *m, dk_cursor *c, const section *data) {
    uint32_t count = dk_read_u32(c);
    /* Smallest record: name length + 1 byte + 4 header bytes. */
    if (c->failed || count == 0 || count > DK_MAX_TENSORS || count > dk_cursor_left(c) / 9)
        return dk_fail(DLRT_ERR_FORMAT, "TENSORS: tensor count %u is zero or too large for the section", count);
    m->tensors = calloc(count, sizeof *m->tensors);
    if (m->tensors == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "TENSORS: out of memory");
    m->tensor_count = count;
    dlrt_status st;
    uint32_t constants = 0;
    for (uint32_t i = 0; i < count; i++) {
        if ((st = parse_tensor(m, c, i, data)) != DLRT_OK) return st;
        if (m->tensors[i].data != NULL) constants++;
    }
    /* Names are unique and constant data ranges do not overlap: both by sorting. */
    data_range *ranges = malloc(sizeof *ranges * (constants ? constants : 1));
    if (ranges == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "TENSORS: out of memory");
    uint32_t n = 0;
    for (uint32_t i = 0; i < count; i++) {
        const dk_tensor *t = &m->tensors[i];
        if (t->data == NULL) continue;
        uint64_t begin = (uint64_t)((const uint8_t *)t->data - m->image);
        ranges[n++] = (data_range){begin, begin + t->data_size, i};
    }
    qsort(ranges, n, sizeof *ranges, compare_ranges);
    for (uint32_t i = 1; i < n; i++) {
        if (ranges[i].begin < ranges[i - 1].end) {
            st = dk_fail(DLRT_ERR_FORMAT, "TENSORS: data of tensors '%s' and '%s' overlap", m->tensors[ranges[i - 1].tensor].name,
                         m->tensors[ranges[i].tensor].name);
            free(ranges);
            return st;
        }
    }
    free(ranges);
    return dk_check_unique_names(m);
}

/* ---- GRAPH ----------------------------------------------------------------- */

static dlrt_status read_io_list(dk_cursor *c, const char *what, uint32_t tensor_count, uint32_t *count, uint32_t *ids) {
    *count = dk_read_u32(c);
    if (c->failed || *count < 1 || *count > DK_MAX_GRAPH_IO)
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: %s count %u outside 1..%d", what, *count, DK_MAX_GRAPH_IO);
    for (uint32_t i = 0; i < *count; i++) {
        ids[i] = dk_read_u32(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: %s list truncated", what);
        if (ids[i] >= tensor_count) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: %s %u refers to tensor %u of %u", what, i, ids[i], tensor_count);
        for (uint32_t j = 0; j < i; j++)
            if (ids[j] == ids[i]) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: %s %u repeats tensor %u", what, i, ids[i]);
    }
    return DLRT_OK;
}

static dlrt_status parse_graph(dlrt_model *m, dk_cursor *c) {
    dlrt_status st;
    if ((st = read_io_list(c, "input", m->tensor_count, &m->input_count, m->inputs)) != DLRT_OK) return st;
    if ((st = read_io_list(c, "output", m->tensor_count, &m->output_count, m->outputs)) != DLRT_OK) return st;
    uint32_t count = dk_read_u32(c);
    /* Smallest node: 16 header bytes. */
    if (c->failed || count == 0 || count > DK_MAX_NODES || count > dk_cursor_left(c) / 16)
        return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node count %u is zero or too large for the section", count);
    m->nodes = calloc(count, sizeof *m->nodes);
    /* Every id is 4 bytes of the section, so the section bounds their total. */
    m->node_ids = malloc(dk_cursor_left(c) / 4 * sizeof(uint32_t) + sizeof(uint32_t));
    if (m->nodes == NULL || m->node_ids == NULL) return dk_fail(DLRT_ERR_OUT_OF_MEMORY, "GRAPH: out of memory");
    m->node_count = count;
    uint32_t *ids = m->node_ids;
    for (uint32_t i = 0; i < count; i++) {
        dk_node *node = &m->nodes[i];
        uint16_t op = dk_read_u16(c), version = dk_read_u16(c);
        uint32_t n_in = dk_read_u32(c), n_out = dk_read_u32(c), n_attr = dk_read_u32(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u: truncated", i);
        if (op < 1 || op >= DK_OP_COUNT) return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u: unknown op code %u", i, op);
        node->op = (dk_op)op;
        if (version != 1)
            return dk_fail(DLRT_ERR_UNSUPPORTED, "GRAPH: node %u (%s): op version %u is not supported (this reader: 1)", i, dk_op_name(node->op), version);
        if (n_in > DK_MAX_NODE_IO || n_out > DK_MAX_NODE_IO || n_attr > DK_MAX_ATTRS)
            return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u (%s): %u inputs, %u outputs, %u attributes exceed the caps", i,
                           dk_op_name(node->op), n_in, n_out, n_attr);
        if ((uint64_t)(n_in + n_out) * 4 > dk_cursor_left(c)) return dk_fail(DLRT_ERR_FORMAT, "GRAPH: node %u: truncated", i);
        node->input_count = n_in;
        node->output_count = n_out;
        node->inputs = ids;
        for (uint32_t k = 0; k < n_in; k++) *ids++ = dk_read_u32(c);
        node->outputs = ids;
        for (uint32_t k = 0; k < n_out; k++) *ids++ = dk_read_u32(c);
        if ((st = dk_decode_attrs(c, i, node, n_attr)) != DLRT_OK) return st;
    }
    return dk_check_graph(m);
}

/* ---- SELFTEST -------------------------------------------------------------- */

static dlrt_status read_selftest_list(dlrt_model *m, dk_cursor *c, const char *what, const uint32_t *allowed,
                                      uint32_t allowed_count, uint32_t *count, dk_selftest_entry *entries) {
    *count = dk_read_u32(c);
    if (c->failed || *count < 1 || *count > allowed_count)
        return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %s count %u outside 1..%u", what, *count, allowed_count);
    for (uint32_t i = 0; i < *count; i++) {
        dk_selftest_entry *e = &entries[i];
        e->tensor = dk_read_u32(c);
        e->count = dk_read_u64(c);
        if (c->failed) return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %s %u truncated", what, i);
        uint32_t k = 0;
        while (k < allowed_count && allowed[k] != e->tensor) k++;
        if (k == allowed_count) return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %s %u: tensor %u is not a graph %s", what, i, e->tensor, what);
        const dk_tensor *t = &m->tensors[e->tensor];
        uint64_t elements = 1;
        for (uint32_t d = 0; d < t->rank; d++) elements *= (uint64_t)t->dims[d];
        if (e->count != elements)
            return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %s '%s' has %llu values, its shape holds %llu", what, t->name,
                           (unsigned long long)e->count, (unsigned long long)elements);
        if (e->count > dk_cursor_left(c) / 4) return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %s '%s' values truncated", what, t->name);
        e->values = dk_cursor_bytes(c, (size_t)e->count * 4);
    }
    return DLRT_OK;
}

static dlrt_status parse_selftest(dlrt_model *m, dk_cursor *c) {
    m->selftest_rtol = dk_read_f32(c);
    m->selftest_atol = dk_read_f32(c);
    if (c->failed || !isfinite(m->selftest_rtol) || !isfinite(m->selftest_atol) || m->selftest_rtol < 0 || m->selftest_atol < 0)
        return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: tolerances missing, negative or not finite");
    dlrt_status st = read_selftest_list(m, c, "input", m->inputs, m->input_count, &m->selftest_input_count, m->selftest_inputs);
    if (st != DLRT_OK) return st;
    if (m->selftest_input_count != m->input_count)
        return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: %u inputs given, the graph has %u", m->selftest_input_count, m->input_count);
    for (uint32_t i = 0; i < m->selftest_input_count; i++)
        for (uint32_t j = 0; j < i; j++)
            if (m->selftest_inputs[i].tensor == m->selftest_inputs[j].tensor)
                return dk_fail(DLRT_ERR_FORMAT, "SELFTEST: input tensor %u given twice", m->selftest_inputs[i].tensor);
    st = read_selftest_list(m, c, "output", m->outputs, m->output_count, &m->selftest_output_count, m->selftest_outputs);
    if (st != DLRT_OK) return st;
    m->has_selftest = 1;
    return DLRT_OK;
}

/* ---- the whole file -------------------------------------------------------- */

typedef dlrt_status (*section_parser)(dlrt_model *, dk_cursor *);

static dlrt_status parse_section(dlrt_model *m, const section *s, section_parser parse, const section *data) {
    dk_cursor c = dk_cursor_make(m->image + s->offset, (size_t)s->size);
    dlrt_status st = parse ? parse(m, &c) : parse_tensors(m, &c, data);
    if (st != DLRT_OK) return st;
    if (c.pos != c.size)
        return dk_fail(DLRT_ERR_FORMAT, "section %s: %zu trailing bytes after its content", section_name(s->kind), c.size - c.pos);
    return DLRT_OK;
}

dlrt_status dk_model_parse(dlrt_model *m, const uint8_t *image, size_t size, uint32_t flags) {
    section found[DK_SECTION_SELFTEST + 1];
    dlrt_status st = parse_sections(image, size, flags, found);
    if (st != DLRT_OK) return st;
    m->image = image;
    m->image_size = size;
    const section *data = &found[DK_SECTION_DATA];
    if ((st = parse_section(m, &found[DK_SECTION_META], parse_meta, data)) != DLRT_OK) return st;
    if ((st = parse_section(m, &found[DK_SECTION_TENSORS], NULL, data)) != DLRT_OK) return st;
    if ((st = parse_section(m, &found[DK_SECTION_GRAPH], parse_graph, data)) != DLRT_OK) return st;
    if ((found[DK_SECTION_SELFTEST].flags & 2u) &&
        (st = parse_section(m, &found[DK_SECTION_SELFTEST], parse_selftest, data)) != DLRT_OK)
        return st;
    if ((st = dk_check_shapes(m)) != DLRT_OK) return st;
    return dk_plan_int8(m);
}

void dk_model_release(dlrt_model *m) {
    for (uint32_t i = 0; i < m->meta_count; i++) {
        free(m->meta[i].key);
        free(m->meta[i].strings);
        free(m->meta[i].string_lengths);
    }
    free(m->meta);
    for (uint32_t i = 0; i < m->tensor_count; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].scales);
        free(m->tensors[i].zero_points);
    }
    free(m->tensors);
    for (uint32_t i = 0; i < m->node_count; i++) {
        free(m->nodes[i].folded);
        free(m->nodes[i].dequantized[0]);
        free(m->nodes[i].dequantized[1]);
        free(m->nodes[i].q8);
    }
    free(m->nodes);
    free(m->node_ids);
}
