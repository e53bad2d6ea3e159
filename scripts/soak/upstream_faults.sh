#!/usr/bin/env bash
# 1,000 Binarly watches against a faulty fake upstream: scripts/soak/upstream_faults.sh [WATCHES] [LIMIT_SECONDS] [K].
# SCANRELAY_BIN picks the binary; else the release build if present; else a debug build in .build-soak.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${SCANRELAY_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x .build-release/release/scanrelay ]]; then
    bin=.build-release/release/scanrelay
  else
    swift build --scratch-path .build-soak --product scanrelay
    bin=.build-soak/debug/scanrelay
  fi
fi
limit="${2:-300}"
# A third argument sets K, the successful polls a scan needs (default 3); K=20 keeps the faults going ~5 minutes.
exec timeout --signal=INT --kill-after=30 "$(( limit + 180 ))" \
  python3 scripts/soak/upstream_faults.py --binary "$bin" --watches "${1:-1000}" --limit "$limit" --polls-to-complete "${3:-3}"
