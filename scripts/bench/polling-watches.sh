#!/usr/bin/env bash
# CPU and RSS of one process holding N active watches that poll a fake Binarly for S seconds (issue 6 figures).
#   scripts/bench/polling-watches.sh [S] [N...]        (defaults: 60 seconds, 1000 and 10000 watches)
# The fake upstream runs in its own process, so the figures are the poller's alone (scheduler, the upstream clients on
# libcurl via CurlClient, decoding, the scan store). Each N also runs once "idle" (first poll an hour out): the cost of
# holding watches.
# Builds Polling, Providers, CurlClient (libcurl via pkg-config), ScanCore, FakeUpstreams, our HTTP server and the
# modules they import with scripts/bench/polling-watches.swift as a throwaway release package (no change to
# Package.swift). Scratch: $SCRATCH (default .build-bench-polling).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${SCRATCH:-$root/.build-bench-polling}"
package="$scratch/package"
seconds="${1:-60}"
shift || true
if [ $# -eq 0 ]; then set -- 1000 10000; fi
mkdir -p "$package/Sources/PollingBench"
for module in CEpoll CNGHTTP2 CCurl CCurlShim Locking ShardedTables JSONEscaping HTTPCore HTTP2 HTTPServer CurlClient \
    ScanCore Providers Polling FakeUpstreams; do
    ln -sfn "$root/Sources/$module" "$package/Sources/$module"
done
cp "$root/scripts/bench/polling-watches.swift" "$package/Sources/PollingBench/main.swift"
cat > "$package/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let log = Target.Dependency.product(name: "Logging", package: "swift-log")
let deque = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
let package = Package(
    name: "PollingBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
    ],
    targets: [
        .target(name: "CEpoll", path: "Sources/CEpoll"),
        .systemLibrary(name: "CNGHTTP2", path: "Sources/CNGHTTP2", pkgConfig: "libnghttp2"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),
        .target(name: "Locking"),
        .target(name: "ShardedTables"),
        .target(name: "JSONEscaping"),
        .target(name: "HTTPCore", dependencies: ["JSONEscaping"]),
        .target(name: "HTTP2", dependencies: ["HTTPCore", "CNGHTTP2"]),
        .target(name: "HTTPServer", dependencies: ["HTTPCore", "HTTP2", "CEpoll", "Locking", log]),
        .target(name: "CurlClient", dependencies: ["CCurl", "CCurlShim", "Locking"]),
        .target(name: "ScanCore", dependencies: ["Locking", "ShardedTables", "JSONEscaping", deque]),
        .target(name: "Providers", dependencies: ["ScanCore", "CurlClient", "HTTPCore"]),
        .target(name: "Polling", dependencies: ["ScanCore", "Providers", "Locking", log, deque]),
        .target(name: "FakeUpstreams", dependencies: ["HTTPCore", "HTTPServer", "Locking", log]),
        .executableTarget(name: "PollingBench", dependencies: ["Polling", "Providers", "ScanCore", "FakeUpstreams", log]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
swift build -c release --package-path "$package" --scratch-path "$scratch/build" --product PollingBench >&2
bench="$scratch/build/release/PollingBench"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
fake=""
trap '[ -n "$fake" ] && kill "$fake" 2>/dev/null || true' EXIT
for n in "$@"; do
    url_file="$(mktemp)"
    "$bench" fake "$n" > "$url_file" &
    fake=$!
    until [ -s "$url_file" ]; do sleep 0.1; done
    url="$(cat "$url_file")"
    timeout $((seconds + 120)) "$bench" poll "$n" "$url" "$seconds"
    timeout 120 "$bench" poll "$n" "$url" 20 idle
    kill "$fake" 2>/dev/null || true
    wait "$fake" 2>/dev/null || true
    fake=""
    rm -f "$url_file"
done
