#!/usr/bin/env bash
# CPU cost of webhook verification (2 KiB bodies), idempotency claims and payload decoding, per operation.
#   scripts/bench/webhooks.sh
# Builds Sources/Webhooks, Sources/ScanCore, the Providers decoders and the modules they import (Locking,
# ShardedTables, JSONEscaping; swift-crypto) with scripts/bench/webhooks.swift as a throwaway release package (no
# change to Package.swift), runs it once and prints one table.
# Scratch: $SCRATCH (default .build-bench-webhooks).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${SCRATCH:-$root/.build-bench-webhooks}"
package="$scratch/package"
mkdir -p "$package/Sources/WebhooksBench" "$package/Sources/Providers"
for module in Locking ShardedTables JSONEscaping Webhooks ScanCore; do
    ln -sfn "$root/Sources/$module" "$package/Sources/$module"
done
# Only the decoding half of Providers: the upstream clients are not part of this measurement, and the decoders import
# only Foundation and ScanCore, so CurlClient (libcurl) and HTTPCore stay out of the build.
ln -sfn "$root/Sources/Providers/Decoding" "$package/Sources/Providers/Decoding"
ln -sfn "$root/Sources/Providers/ScanRef.swift" "$package/Sources/Providers/ScanRef.swift"
ln -sfn "$root/Tests/Support/ProviderFixtures/Fixtures" "$package/Fixtures"
cp "$root/scripts/bench/webhooks.swift" "$package/Sources/WebhooksBench/main.swift"
cat > "$package/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "WebhooksBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
    ],
    targets: [
        .target(name: "Locking"),
        .target(name: "ShardedTables"),
        .target(name: "JSONEscaping"),
        .target(name: "ScanCore", dependencies: ["Locking", "ShardedTables", "JSONEscaping", .product(name: "DequeModule", package: "swift-collections")]),
        .target(
            name: "Webhooks",
            dependencies: ["Locking", "ShardedTables", .product(name: "Crypto", package: "swift-crypto"), .product(name: "DequeModule", package: "swift-collections")]
        ),
        .target(name: "Providers", dependencies: ["ScanCore"]),
        .executableTarget(name: "WebhooksBench", dependencies: ["Webhooks", "Providers", "ScanCore"]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
swift build -c release --package-path "$package" --scratch-path "$scratch/build" --product WebhooksBench >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
timeout 600 "$scratch/build/release/WebhooksBench" "$package/Fixtures"
