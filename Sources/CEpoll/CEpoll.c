// Intentionally empty: CEpoll is a header-only shim; SwiftPM needs one source file to build the target.
#include "CEpoll.h"
