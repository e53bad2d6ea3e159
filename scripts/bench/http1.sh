#!/usr/bin/env bash
# HTTP/1.1 benchmark (not a test): `scanrelay serve` on loopback, `wrk` against GET /healthz at 32 and 256
# connections; prints requests/s, p50, p99, errors and the server's peak RSS (VmHWM).
#
#   scripts/bench/http1.sh                      # builds release into .build-release, then runs
#   scripts/bench/http1.sh --binary PATH        # an already built binary taking `serve --listen HOST:PORT`
#   options: --port N (18080)  --duration S (10)  --connections "32 256"  --pin (server on CPU 0, wrk on CPU 1)
set -euo pipefail
cd "$(dirname "$0")/../.."

BINARY=""
PORT=18080
DURATION=10
CONNECTIONS="32 256"
PIN=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --pin) PIN=1; shift ;;
        *) echo "unknown option: $1" >&2; exit 64 ;;
    esac
done

# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh
bench_require "apt-get install wrk curl" wrk curl
if [ "$PIN" = 1 ]; then bench_require "util-linux" taskset; fi

BINARY="$(bench_binary "$BINARY")"
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then CLIENT_CPU=(taskset -c 1); fi
bench_start_server "$BINARY" "$PORT" "$PIN"
URL="http://127.0.0.1:$PORT/healthz"
bench_wait_ready "$URL"

printf '%-12s %12s %10s %10s %8s %14s\n' connections "requests/s" p50 p99 errors "peak RSS"
for c in $CONNECTIONS; do
    timeout $((DURATION + 60)) "${CLIENT_CPU[@]}" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 5s --latency "$URL" >"$WORK/wrk.txt"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
    errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} /Non-2xx/ {n += $NF} END {print n + 0}' "$WORK/wrk.txt")
    rss=$(bench_peak_rss)
    printf '%-12s %12s %10s %10s %8s %14s\n' "$c" "$rps" "$p50" "$p99" "$errors" "$rss"
done
