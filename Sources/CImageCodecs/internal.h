#ifndef CIMAGECODECS_INTERNAL_H
#define CIMAGECODECS_INTERNAL_H

#include "cimagecodecs.h"

#if defined(__GNUC__)
#pragma GCC visibility push(hidden)
#endif

/* printf-style message into the caller's buffer (NULL/0 allowed); returns status. */
cic_status cic_fail(char *message, size_t capacity, cic_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* max_pixels from options (0 = default). */
uint64_t cic_max_pixels(const cic_decode_options *options);

/* Counts a codec warning and keeps the first one's text ("prefix: text"). */
void cic_note_warning(cic_warnings *warnings, const char *prefix, const char *text);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#endif
