/* gzip / zlib inflation over the system zlib, for IDX data sets and the like. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

cic_status cic_gunzip(const uint8_t *data, size_t size, uint64_t max_output,
                      uint8_t **out, size_t *out_size, char *message, size_t message_capacity) {
    if (out == NULL || out_size == NULL) return cic_fail(message, message_capacity, CIC_ERR_ARGUMENT, "no output buffer");
    *out = NULL;
    *out_size = 0;
    if (data == NULL || size < 2) return cic_fail(message, message_capacity, CIC_ERR_FORMAT, "not gzip or zlib data (too short)");
    if (max_output == 0) max_output = CIC_DEFAULT_MAX_GUNZIP;
    if (max_output > SIZE_MAX / 2) max_output = SIZE_MAX / 2;

    z_stream stream;
    memset(&stream, 0, sizeof stream);
    /* 32 + MAX_WBITS: accept a gzip or a zlib header. */
    if (inflateInit2(&stream, 32 + MAX_WBITS) != Z_OK)
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "zlib: inflateInit2 failed");

    size_t capacity = size * 4 < (1u << 16) ? (1u << 16) : size * 4;
    if (capacity > max_output) capacity = (size_t)max_output;
    uint8_t *buffer = malloc(capacity ? capacity : 1);
    size_t produced = 0, consumed = 0;
    cic_status status = CIC_OK;
    if (buffer == NULL) {
        inflateEnd(&stream);
        return cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory");
    }
    for (;;) {
        if (produced == capacity) {
            if (capacity >= max_output) {
                status = cic_fail(message, message_capacity, CIC_ERR_TOO_LARGE,
                                  "inflated data exceeds the cap of %llu bytes", (unsigned long long)max_output);
                break;
            }
            size_t grown_capacity = capacity * 2 > max_output ? (size_t)max_output : capacity * 2;
            uint8_t *grown = realloc(buffer, grown_capacity);
            if (grown == NULL) { status = cic_fail(message, message_capacity, CIC_ERR_NO_MEMORY, "out of memory"); break; }
            buffer = grown;
            capacity = grown_capacity;
        }
        size_t in_chunk = size - consumed > 0x40000000u ? 0x40000000u : size - consumed;
        size_t out_chunk = capacity - produced > 0x40000000u ? 0x40000000u : capacity - produced;
        stream.next_in = (Bytef *)(data + consumed);
        stream.avail_in = (uInt)in_chunk;
        stream.next_out = buffer + produced;
        stream.avail_out = (uInt)out_chunk;
        int rc = inflate(&stream, Z_NO_FLUSH);
        consumed += in_chunk - stream.avail_in;
        produced += out_chunk - stream.avail_out;
        if (rc == Z_STREAM_END) {
            /* Another gzip member may follow (concatenated .gz files). */
            if (size - consumed >= 2 && data[consumed] == 0x1F && data[consumed + 1] == 0x8B) {
                if (inflateReset(&stream) != Z_OK) { status = cic_fail(message, message_capacity, CIC_ERR_CORRUPT, "zlib: reset failed"); break; }
                continue;
            }
            break;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR && stream.avail_out == 0) continue; /* grow */
        if (rc == Z_BUF_ERROR) {
            status = cic_fail(message, message_capacity, CIC_ERR_CORRUPT, "truncated compressed data after %zu input bytes", consumed);
            break;
        }
        status = cic_fail(message, message_capacity, rc == Z_MEM_ERROR ? CIC_ERR_NO_MEMORY : CIC_ERR_CORRUPT,
                          "corrupt compressed data: %s", stream.msg ? stream.msg : "inflate failed");
        break;
    }
    inflateEnd(&stream);
    if (status != CIC_OK) {
        free(buffer);
        return status;
    }
    *out = buffer;
    *out_size = produced;
    return CIC_OK;
}
