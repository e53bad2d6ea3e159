#ifndef SCANRELAY_CNGHTTP2_SHIM_H
#define SCANRELAY_CNGHTTP2_SHIM_H
// libnghttp2's public API. The code targets the classic ssize_t API (1.52 on Debian 12, 1.59 on Ubuntu 24.04).
#include <nghttp2/nghttp2.h>
#endif
