#!/usr/bin/env bash
# The whole test suite: unit and integration tests (real servers on loopback ports, real clients).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
