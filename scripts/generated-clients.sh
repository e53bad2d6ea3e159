#!/usr/bin/env bash
# Generated clients: what users of openapi.yaml actually run. Generates a Python client (openapi-python-client) and
# a Swift client (swift-openapi-generator, in its own package: Tests/GeneratedClients/Swift) from openapi.yaml —
# any warning from either generator fails the step — then runs each against a live `scanrelay serve`: list, one
# scan with and one without findings, 304 with the ETag, watches create/list/delete, an image's scans, and the
# event stream (read to its end at a graceful shutdown, which each client sets off itself: a client that reads
# whole bodies cannot read a stream that never ends otherwise).
#
#   scripts/generated-clients.sh [path/to/scanrelay]     (default: .build/debug/scanrelay)
#
# The Swift package builds in .build-generated-swift (gitignored, apart from the product's .build); the generated sources
# go to its Sources/RoundTrip/Generated (gitignored), the Python client to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/debug/scanrelay}"
[ -x "$binary" ] || { echo "generated-clients: no executable at $binary (swift build first)" >&2; exit 2; }
swift_package=Tests/GeneratedClients/Swift
swift_scratch=.build-generated-swift
work="$(mktemp -d)"
server=""
stop_server() {
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A generator's output with any warning in it fails the step; the output is shown either way.
no_warnings() {
    local name=$1 log=$2
    cat "$log"
    if grep -qiE 'warning|error' "$log"; then
        echo "generated-clients: $name reported warnings or errors (above)" >&2
        exit 1
    fi
}

echo "--- Python client (openapi-python-client)"
openapi-python-client generate --path openapi.yaml --meta none --output-path "$work/python/scanrelay_client" \
    --config scripts/clients/openapi-python-client.yaml > "$work/python-generator.log" 2>&1 \
    || { cat "$work/python-generator.log"; exit 1; }
no_warnings openapi-python-client "$work/python-generator.log"

echo "--- Swift client (swift-openapi-generator)"
swift build --package-path "$swift_package" --scratch-path "$swift_scratch" --product swift-openapi-generator
generator="$(swift build --package-path "$swift_package" --scratch-path "$swift_scratch" --show-bin-path)/swift-openapi-generator"
rm -rf "$swift_package/Sources/RoundTrip/Generated"
mkdir -p "$swift_package/Sources/RoundTrip/Generated"
"$generator" generate openapi.yaml --config "$swift_package/openapi-generator-config.yaml" \
    --output-directory "$swift_package/Sources/RoundTrip/Generated" > "$work/swift-generator.log" 2>&1 \
    || { cat "$work/swift-generator.log"; exit 1; }
no_warnings swift-openapi-generator "$work/swift-generator.log"
swift build --package-path "$swift_package" --scratch-path "$swift_scratch" --product RoundTrip 2>&1 | tee "$work/swift-build.log"
if grep -q 'warning:' "$work/swift-build.log"; then echo "generated-clients: the Swift client built with warnings" >&2; exit 1; fi
round_trip="$(swift build --package-path "$swift_package" --scratch-path "$swift_scratch" --show-bin-path)/RoundTrip"

# A fresh server per client, seeded with the same three scans (SEEDED): with findings, without (still running),
# and one of another image; `binarly` has an upstream on a dead port so watches can be created (none falls due).
start_server() {
    local port dead_port
    port="$(free_port)"
    dead_port="$(free_port)"
    base="http://127.0.0.1:$port"
    cat > "$work/config.yaml" <<YAML
listen: 127.0.0.1:$port
limits: { shutdownGrace: 5s }
poll: { requestTimeout: 2s }
sources:
  - { name: binarly, provider: binarly, upstream: { baseURL: "http://127.0.0.1:$dead_port", auth: { bearer: unused } }, webhook: { verify: none } }
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
YAML
    SCANRELAY_LOG_LEVEL=warning "$binary" serve --config "$work/config.yaml" > "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do
        curl -fsS "$base/readyz" > /dev/null 2>&1 && break
        kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
        sleep 0.1
    done
    curl -fsS "$base/readyz" > /dev/null
    seed() { curl -fsS -o /dev/null -X POST "$base/v1/webhooks/relay" -H 'Content-Type: application/json' --data-binary "$1"; }
    # SEEDED
    seed '{"type":"scan.completed","data":{"upstreamId":"with-findings","subject":{"imageId":"image-a"},"status":"completed","findings":{"critical":0,"high":1,"medium":2,"low":0,"negligible":0,"unknown":0,"total":3}}}'
    seed '{"type":"scan.updated","data":{"upstreamId":"no-findings","subject":{"imageId":"image-a"},"status":"running"}}'
    seed '{"type":"scan.completed","data":{"upstreamId":"other-image","subject":{"imageId":"image-b"},"status":"failed"}}'
}

# The client ends the server itself (SIGTERM, to close the event stream); it must then exit cleanly.
finish_server() {
    local status=0
    wait "$server" || status=$?
    server=""
    [ "$status" = 0 ] || { echo "generated-clients: the server exited with $status" >&2; cat "$work/server.log" >&2; exit 1; }
}

echo "--- Python client against the live server"
start_server
python3 scripts/clients/python_roundtrip.py "$work/python" "$base" "$server"
finish_server

echo "--- Swift client against the live server"
start_server
"$round_trip" "$base" "$server"
finish_server

echo "generated-clients: OK"
