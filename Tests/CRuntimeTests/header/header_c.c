/*
 * include/dlrt.h as a C user includes it: first, alone, under -std=c99 and
 * -std=c11 with -pedantic -Werror (make test-header). Linked against
 * libdlrt.so, it checks that the library it loads agrees with the header.
 */
#include "dlrt.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "header and library disagree: %s\n", what);
        failed = 1;
    }
}

int main(void) {
    dlrt_session_options session;
    dlrt_load_options load;
    dlrt_session_options_defaults(&session);
    dlrt_load_options_defaults(&load);
    check(dlrt_abi_version() == DLRT_ABI_VERSION, "DLRT_ABI_VERSION");
    check(strcmp(dlrt_version_string(), DLRT_EXPECTED_VERSION) == 0, "the version string");
    check(session.struct_size == sizeof session, "sizeof(dlrt_session_options)");
    check(load.struct_size == sizeof load, "sizeof(dlrt_load_options)");
    check(strcmp(dlrt_status_name(DLRT_ERR_FORMAT), "DLRT_ERR_FORMAT") == 0, "the status names");
    return failed;
}
