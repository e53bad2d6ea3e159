#ifndef SCANRELAY_CNGHTTP2_SHIM_H
#define SCANRELAY_CNGHTTP2_SHIM_H
// libnghttp2's public API. The code targets the classic ssize_t API (1.52 on Debian 12, 1.59 on Ubuntu 24.04).
#include <nghttp2/nghttp2.h>

// nghttp2_option_set_max_continuations (CONTINUATION flood, CVE-2024-28182) is upstream API only from 1.61; the
// distributions backported it into 1.52 and 1.59 with the fix, but a stock 1.59 may lack the symbol. Declaring it
// weak lets one binary use it where present and fall back to the library's built-in default elsewhere.
extern void nghttp2_option_set_max_continuations(nghttp2_option *option, size_t val) __attribute__((weak));

/// Sets the CONTINUATION limit when the library has the option; returns 0 when it does not.
static inline int scanrelay_nghttp2_option_set_max_continuations(nghttp2_option *option, size_t val) {
    if (nghttp2_option_set_max_continuations == NULL) {
        return 0;
    }
    nghttp2_option_set_max_continuations(option, val);
    return 1;
}

#endif
