/* Failure reporting: every failing path records a thread-local message and returns its status. */
#ifndef DK_STATUS_H
#define DK_STATUS_H

#include "../../include/dlrt.h"

/* Internal: never exported from libdlrt.so, however it is built. */
#pragma GCC visibility push(hidden)

#if defined(__GNUC__) || defined(__clang__)
#define DK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DK_PRINTF(f, a)
#endif

/** Records the message for dlrt_last_error() and returns `status`. */
dlrt_status dk_fail(dlrt_status status, const char *format, ...) DK_PRINTF(2, 3);
/** Clears the message at the start of a public call. */
void dk_clear_error(void);

#pragma GCC visibility pop
#endif
