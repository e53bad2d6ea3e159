#!/usr/bin/env bash
# HTTP/2 (h2c, prior knowledge) benchmark (not a test): `scanrelay serve` on loopback, `h2load` against
# GET /healthz; prints requests/s, request latency (h2load gives min/mean/max/sd, no percentiles), failures and
# the server's peak RSS (VmHWM). Beside scripts/bench/http1.sh (wrk) for the HTTP/1.1 figures.
#
#   scripts/bench/h2.sh                      # builds release into .build-release, then runs
#   scripts/bench/h2.sh --binary PATH        # an already built binary taking `serve --listen HOST:PORT`
#   options: --port N (18081)  --requests N (200000)  --clients "32"  --streams M (10)  --pin (server CPU 0, h2load CPU 1)
set -euo pipefail
cd "$(dirname "$0")/../.."

BINARY=""
PORT=18081
REQUESTS=200000
CLIENTS="32"
STREAMS=10
PIN=0
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --requests) REQUESTS="$2"; shift 2 ;;
        --clients) CLIENTS="$2"; shift 2 ;;
        --streams) STREAMS="$2"; shift 2 ;;
        --pin) PIN=1; shift ;;
        *) echo "unknown option: $1" >&2; exit 64 ;;
    esac
done

for tool in h2load curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install nghttp2-client curl)" >&2; exit 69; }
done
if [ "$PIN" = 1 ] && ! command -v taskset >/dev/null; then echo "--pin needs taskset (util-linux)" >&2; exit 69; fi

if [ -z "$BINARY" ]; then
    timeout 900 swift build -c release --scratch-path .build-release --product scanrelay >&2
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
    if curl -fsS --http2-prior-knowledge -o /dev/null --max-time 1 "$URL" 2>/dev/null; then ready=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ "$ready" != 1 ]; then echo "server did not become ready over h2c; its log:" >&2; cat "$WORK/server.log" >&2; exit 1; fi

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $REQUESTS requests, $STREAMS streams per connection"
printf '%-8s %12s %10s %10s %10s %10s %8s %12s\n' clients "requests/s" "min" "mean" "max" "sd" failed "peak RSS"
for c in $CLIENTS; do
    timeout 600 "${CLIENT_CPU[@]}" h2load -c"$c" -m"$STREAMS" -n"$REQUESTS" "$URL" >"$WORK/h2load.txt"
    rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' "$WORK/h2load.txt")
    read -r min max mean sd < <(awk '/^time for request:/ {print $4, $5, $6, $7}' "$WORK/h2load.txt")
    failed=$(awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($i ~ /^(failed|errored|timeout),?$/) n += $(i - 1)} END {print n + 0}' "$WORK/h2load.txt")
    rss=$(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")
    printf '%-8s %12s %10s %10s %10s %10s %8s %12s\n' "$c" "$rps" "$min" "$mean" "$max" "$sd" "$failed" "$rss"
done
