/* CRC-32 (IEEE 802.3, zlib-compatible), as docs/FORMAT.md specifies. */
#ifndef DK_CRC32_H
#define DK_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

/** Continues `crc` (0 to start) over `size` bytes. */
uint32_t dk_crc32(uint32_t crc, const void *data, size_t size);

#pragma GCC visibility pop
#endif
