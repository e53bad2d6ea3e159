#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run installs the tools first; README.md gives this command).
#
#   1. the Swift tests: unit tests and integration tests with the real server on loopback ports and real clients
#      (URLSession, curl, nghttp, Python h2/httpx), pollers against fake upstreams over real sockets; then the same
#      suite built and run again under AddressSanitizer with LeakSanitizer, and under ThreadSanitizer
#      (scripts/sanitized-tests.sh address|thread: its comments give the options, scripts/sanitizers/ the
#      suppressions, each explained);
#   2. openapi.yaml validated, schemathesis against the running service, and clients generated from it (Python,
#      Swift; no generator warning allowed) run against a live server (scripts/generated-clients.sh);
#   3. the Dockerfile: hadolint, the runtime stage's libraries checked against the release binary, and the image
#      built from it and run (scripts/container-image.sh: buildah and podman, base images made locally); the
#      Kubernetes manifests of deploy/kubernetes rendered and validated offline (scripts/kubernetes/validate.sh);
#   4. the hostile-client suite (scripts/hostile) against that release binary, the one the image ships: its latency
#      bounds are about the product, and a debug build is several times slower under a flood;
#   5. each libFuzzer target for FUZZ_SECONDS (default 60);
#
# SCANRELAY_QUICK_TESTS=1 runs the plain Swift tests of step 1 only (for a fast local loop).
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0
failed=0
failures=()

step() {
    local name=$1
    shift
    echo
    echo "=== $name"
    local started=$SECONDS
    if "$@"; then
        passed=$((passed + 1))
        echo "=== $name: ok ($((SECONDS - started)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "=== $name: FAILED ($((SECONDS - started)) s)"
    fi
}

# The Swift tests' output is also kept, so that a failure is named again at the very end of a long CI log.
swift_log=$(mktemp -t scanrelay-swift-test.XXXXXX)
trap 'rm -f "$swift_log"' EXIT
swift_tests() {
    swift build --build-tests && swift test --skip-build 2>&1 | tee "$swift_log"
}
sanitized_tests() {
    bash scripts/sanitized-tests.sh "$1" 2>&1 | tee -a "$swift_log"
}

step "swift test" swift_tests
if [[ "${SCANRELAY_QUICK_TESTS:-0}" != 1 ]]; then
    step "swift test under AddressSanitizer" sanitized_tests address
    step "swift test under ThreadSanitizer" sanitized_tests thread
    step "openapi.yaml is valid OpenAPI 3.1" openapi-spec-validator openapi.yaml
    step "schemathesis against the running service" bash scripts/api-conformance.sh
    step "generated Python and Swift clients against the running service" bash scripts/generated-clients.sh
    step "hadolint Dockerfile" hadolint Dockerfile
    step "runtime stage provides every library the binary needs" bash scripts/check-runtime-libs.sh
    step "container image built from the Dockerfile and run" bash scripts/container-image.sh
    step "Kubernetes manifests render and validate" bash scripts/kubernetes/validate.sh
    step "hostile clients against the release binary" bash scripts/hostile/run.sh .build-release/release/scanrelay
    for target in $(sed -n 's/^ *\[\([A-Za-z0-9]*\)\]=.*/\1/p' scripts/fuzz.sh | sort -u); do
        step "fuzz $target for ${FUZZ_SECONDS} s" bash scripts/fuzz.sh "$target" "$FUZZ_SECONDS"
    done
fi

echo
if ((failed > 0)); then
    printf 'failed step: %s\n' "${failures[@]}"
    grep -E '✘ Test .* recorded an issue|Program crashed|Fatal error|unexpected signal|ERROR: (Address|Leak)Sanitizer|SUMMARY: ThreadSanitizer' "$swift_log" | cut -c1-400 | head -40 || true
fi
echo "steps: $passed passed, $failed failed"
((failed == 0))
