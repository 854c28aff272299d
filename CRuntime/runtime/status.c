#include "status.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

dlrt_status dk_fail(dlrt_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return status;
}

void dk_clear_error(void) { last_error[0] = '\0'; }

const char *dlrt_last_error(void) { return last_error; }

const char *dlrt_status_name(dlrt_status status) {
    switch (status) {
    case DLRT_OK: return "DLRT_OK";
    case DLRT_ERR_INVALID_ARGUMENT: return "DLRT_ERR_INVALID_ARGUMENT";
    case DLRT_ERR_IO: return "DLRT_ERR_IO";
    case DLRT_ERR_FORMAT: return "DLRT_ERR_FORMAT";
    case DLRT_ERR_CHECKSUM: return "DLRT_ERR_CHECKSUM";
    case DLRT_ERR_UNSUPPORTED: return "DLRT_ERR_UNSUPPORTED";
    case DLRT_ERR_SHAPE: return "DLRT_ERR_SHAPE";
    case DLRT_ERR_OUT_OF_MEMORY: return "DLRT_ERR_OUT_OF_MEMORY";
    case DLRT_ERR_NOT_FOUND: return "DLRT_ERR_NOT_FOUND";
    case DLRT_ERR_SELFTEST: return "DLRT_ERR_SELFTEST";
    case DLRT_ERR_INTERNAL: return "DLRT_ERR_INTERNAL";
    }
    return "DLRT_ERR_UNKNOWN";
}
