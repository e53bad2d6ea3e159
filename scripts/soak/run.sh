#!/usr/bin/env bash
# Soak ScanRelay under mixed load: scripts/soak/run.sh [MINUTES] (default 30).
# SCANRELAY_BIN picks the binary; else the release build if present; else a debug build in .build-soak.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes="${1:-30}"
bin="${SCANRELAY_BIN:-}"
if [[ -z "$bin" ]]; then
  if [[ -x .build-release/release/scanrelay ]]; then
    bin=.build-release/release/scanrelay
  else
    swift build --scratch-path .build-soak --product scanrelay
    bin=.build-soak/debug/scanrelay
  fi
fi
# The Python process owns the server and the fake upstream and stops both by pid; bound it in time as well.
exec timeout --signal=INT --kill-after=30 "$(( ${minutes%.*} * 60 + 180 ))" \
  python3 scripts/soak/soak.py --binary "$bin" --minutes "$minutes" --csv "${SOAK_CSV:-/tmp/soak-rss.csv}"
