#!/usr/bin/env bash
# CPU time and RSS per 1,000 upstream requests of the product's upstream client (issue 16).
#   scripts/bench/upstream-client.sh [--ref COMMIT]... [--requests N (40000)] [--concurrency C (8)] [--runs R (3)]
# Each --ref builds that commit's Sources (git archive) instead of the work tree; give several to compare them in
# one run, e.g. the last URLSession commit and the work tree:
#   scripts/bench/upstream-client.sh --ref b0f27bd --ref HEAD
# The client is BinarlyClient (one GET per poll) against a fake Binarly in its own process, over loopback HTTP/1.1.
# Builds a throwaway release package per tree (no change to Package.swift). Scratch: $SCRATCH (.build-bench-upstream).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${SCRATCH:-$root/.build-bench-upstream}"
refs=() requests=40000 concurrency=8 runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --ref) refs+=("$2"); shift 2 ;;
        --requests) requests="$2"; shift 2 ;;
        --concurrency) concurrency="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
[ ${#refs[@]} -gt 0 ] || refs=(worktree)

# Builds the bench from one tree; prints the binary's path.
build() {
    local ref="$1" package="$scratch/$1"
    rm -rf "$package/Sources"
    mkdir -p "$package/Sources/UpstreamClientBench"
    if [ "$ref" = worktree ]; then
        for module in "$root"/Sources/*; do ln -sfn "$module" "$package/Sources/$(basename "$module")"; done
    else
        git -C "$root" archive "$ref" Sources | tar -x -C "$package"
    fi
    cp "$root/scripts/bench/upstream-client.swift" "$package/Sources/UpstreamClientBench/main.swift"
    # The libcurl client's modules exist from issue 16 on; before it Providers used FoundationNetworking.
    local curl_targets="" providers_deps='"ScanCore", "Locking", log'
    if [ -d "$package/Sources/CurlClient" ]; then
        curl_targets='.systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl"),
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),
        .target(name: "CurlClient", dependencies: ["CCurl", "CCurlShim", "Locking"]),'
        providers_deps='"ScanCore", "Locking", "CurlClient", log'
    fi
    # The one JSON string escaper has its own module from issue 15 on; HTTPCore and ScanCore import it.
    local json_target="" json_deps=""
    if [ -d "$package/Sources/JSONEscaping" ]; then
        json_target='.target(name: "JSONEscaping"),'
        json_deps='"JSONEscaping"'
    fi
    cat > "$package/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let log = Target.Dependency.product(name: "Logging", package: "swift-log")
// ScanCore's queue from the shared-queue change on; older trees simply do not import it.
let deque = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
let package = Package(
    name: "UpstreamClientBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
    ],
    targets: [
        .target(name: "CEpoll", path: "Sources/CEpoll"),
        .systemLibrary(name: "CNGHTTP2", path: "Sources/CNGHTTP2", pkgConfig: "libnghttp2"),
        $curl_targets
        .target(name: "Locking"),
        .target(name: "ShardedTables"),
        $json_target
        .target(name: "HTTPCore", dependencies: [$json_deps]),
        .target(name: "HTTP2", dependencies: ["HTTPCore", "CNGHTTP2"]),
        .target(name: "HTTPServer", dependencies: ["HTTPCore", "HTTP2", "CEpoll", "Locking", log]),
        .target(name: "ScanCore", dependencies: ["Locking", "ShardedTables", deque, $json_deps]),
        .target(name: "Providers", dependencies: [$providers_deps]),
        .target(name: "FakeUpstreams", dependencies: ["HTTPCore", "HTTPServer", "Locking", log]),
        .executableTarget(name: "UpstreamClientBench", dependencies: ["Providers", "ScanCore", "FakeUpstreams", log]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
    swift build -c release --package-path "$package" --scratch-path "$package/.build" --product UpstreamClientBench >&2
    echo "$package/.build/release/UpstreamClientBench"
}

binaries=()
for ref in "${refs[@]}"; do binaries+=("$(build "$ref")"); done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); libcurl $(pkg-config --modversion libcurl)"
fake=""
trap '[ -n "$fake" ] && kill "$fake" 2>/dev/null || true' EXIT
url_file="$(mktemp)"
"${binaries[0]}" fake > "$url_file" &
fake=$!
until [ -s "$url_file" ]; do sleep 0.1; done
url="$(cat "$url_file")"
rm -f "$url_file"
# Interleaved, so a change in machine load hits every tree alike.
for run in $(seq "$runs"); do
    for index in "${!refs[@]}"; do
        echo "run=$run tree=${refs[$index]} $(timeout 900 "${binaries[$index]}" client "$url" "$requests" "$concurrency")"
    done
done
