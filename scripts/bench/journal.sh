#!/usr/bin/env bash
# State journal throughput (not a test): appends/s with one fdatasync per group-commit batch, at several numbers of
# concurrent appenders, and the batch sizes the writer formed. Builds Sources/StateJournal and its tests as a
# throwaway package (no change to Package.swift) and runs GroupCommitWriterTests with larger counts.
#   scripts/bench/journal.sh             # 1, 16, 200 and 1000 appenders; records land in $TMPDIR (the disk measured)
# With one appender there is nothing to group (the test's group-commit expectation fails by design): that line is
# the plain fdatasync rate of the disk.
# Scratch: $SCRATCH (default .build-bench-journal).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="${SCRATCH:-$root/.build-bench-journal}"
package="$scratch/package"
mkdir -p "$package/Sources" "$package/Tests"
ln -sfn "$root/Sources/StateJournal" "$package/Sources/StateJournal"
ln -sfn "$root/Tests/StateJournalTests" "$package/Tests/StateJournalTests"
cat > "$package/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "JournalBench",
    targets: [
        .target(name: "StateJournal"),
        .testTarget(name: "StateJournalTests", dependencies: ["StateJournal"]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT
swift build --package-path "$package" --scratch-path "$scratch/build" --build-tests >&2
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(df -T "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}') at ${TMPDIR:-/tmp}"
for run in "1 2000" "16 500" "200 50" "1000 10"; do
    set -- $run
    JOURNAL_BENCH_TASKS=$1 JOURNAL_BENCH_RECORDS=$2 timeout 600 swift test --package-path "$package" \
        --scratch-path "$scratch/build" --skip-build --filter concurrentAppends 2>&1 | grep "journal group commit" || true
done
