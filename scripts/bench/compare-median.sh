#!/usr/bin/env bash
# Issue 8's figures: scripts/bench/compare.sh three times, then the median of each row (scripts/bench/median.py).
#
#   scripts/bench/compare-median.sh [--runs N (3)] [--keep DIR] [compare.sh options...]
#
# Every run's own table is printed as it finishes (and kept in DIR with --keep); the median table comes last.
# Build the binaries once and pass them (--binary, --hb-binary), or each run rebuilds what compare.sh builds.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=3
keep=""
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "--runs takes a positive number" >&2; exit 64; }
dir="${keep:-$(mktemp -d)}"
mkdir -p "$dir"
[ -n "$keep" ] || trap 'rm -rf "$dir"' EXIT
tables=()
for run in $(seq 1 "$runs"); do
    echo "=== run $run of $runs, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
    scripts/bench/compare.sh "${args[@]}" | tee "$dir/run$run.txt"
    tables+=("$dir/run$run.txt")
done
echo
python3 scripts/bench/median.py "${tables[@]}"
