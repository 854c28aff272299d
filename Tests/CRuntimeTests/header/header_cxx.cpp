// include/dlrt.h as a C++ user includes it (c++ -std=c++11 -Wall -Wextra
// -pedantic -Werror, make test-header): the header's extern "C" block must
// give C linkage, so that this program links against libdlrt.so at all.
#include "dlrt.h"

#include <cstdio>
#include <cstring>

int main() {
    dlrt_session_options session;
    dlrt_session_options_defaults(&session);
    int failed = 0;
    if (dlrt_abi_version() != DLRT_ABI_VERSION) failed = 1;
    if (std::strcmp(dlrt_version_string(), DLRT_EXPECTED_VERSION) != 0) failed = 1;
    if (session.struct_size != sizeof session) failed = 1;
    if (failed) std::fprintf(stderr, "header and library disagree: version '%s', ABI %u\n", dlrt_version_string(),
                             static_cast<unsigned>(dlrt_abi_version()));
    return failed;
}
