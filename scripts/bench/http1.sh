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

for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install $tool)" >&2; exit 69; }
done
if [ "$PIN" = 1 ] && ! command -v taskset >/dev/null; then echo "--pin needs taskset (util-linux)" >&2; exit 69; fi

if [ -z "$BINARY" ]; then
    timeout 1800 swift build -c release --scratch-path .build-release --product scanrelay >&2
    BINARY=.build-release/release/scanrelay
fi

SERVER_CPU=()
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1); fi

WORK="$(mktemp -d)"
"${SERVER_CPU[@]}" "$BINARY" serve --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap stop_server EXIT

URL="http://127.0.0.1:$PORT/healthz"
ready=0
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null --max-time 1 "$URL" 2>/dev/null; then ready=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ "$ready" != 1 ]; then echo "server did not become ready; its log:" >&2; cat "$WORK/server.log" >&2; exit 1; fi

printf '%-12s %12s %10s %10s %8s %14s\n' connections "requests/s" p50 p99 errors "peak RSS"
for c in $CONNECTIONS; do
    timeout $((DURATION + 60)) "${CLIENT_CPU[@]}" wrk -t1 -c"$c" -d"${DURATION}s" --timeout 5s --latency "$URL" >"$WORK/wrk.txt"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")
    errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} /Non-2xx/ {n += $NF} END {print n + 0}' "$WORK/wrk.txt")
    rss=$(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")
    printf '%-12s %12s %10s %10s %8s %14s\n' "$c" "$rps" "$p50" "$p99" "$errors" "$rss"
done
