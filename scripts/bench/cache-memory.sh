#!/usr/bin/env bash
# Memory and CPU figures of the ScanCore cache with N scans (default 1,000,000; issue 8 target: <= 1 GiB RSS).
#   scripts/bench/cache-memory.sh [N] [--no-raw]
# Builds Sources/ScanCore (with the modules it imports: Locking, ShardedTables, JSONEscaping, swift-collections' Deque) and
# scripts/bench/cache-memory.swift as a throwaway release package (no change to Package.swift), runs it once and
# prints one table. Scratch: $SCRATCH (default .build-bench-cache).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${SCRATCH:-$root/.build-bench-cache}"
package="$scratch/package"
mkdir -p "$package/Sources/CacheMemory"
for module in Locking ShardedTables JSONEscaping ScanCore; do
    ln -sfn "$root/Sources/$module" "$package/Sources/$module"
done
cp "$root/scripts/bench/cache-memory.swift" "$package/Sources/CacheMemory/main.swift"
cat > "$package/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
let deque = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
let package = Package(
    name: "CacheMemory",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0")],
    targets: [
        .target(name: "Locking", swiftSettings: strict),
        .target(name: "ShardedTables", swiftSettings: strict),
        .target(name: "JSONEscaping", swiftSettings: strict),
        .target(name: "ScanCore", dependencies: ["Locking", "ShardedTables", "JSONEscaping", deque], swiftSettings: strict),
        .executableTarget(name: "CacheMemory", dependencies: ["ScanCore"]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
swift build -c release --package-path "$package" --scratch-path "$scratch/build" --product CacheMemory >&2
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
# Bounded: a million scans take well under ten minutes even on a busy two-core machine.
timeout 900 "$scratch/build/release/CacheMemory" "$@"
