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

# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh
bench_require "apt-get install nghttp2-client curl" h2load curl
if [ "$PIN" = 1 ]; then bench_require "util-linux" taskset; fi

BINARY="$(bench_binary "$BINARY")"
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then CLIENT_CPU=(taskset -c 1); fi
bench_start_server "$BINARY" "$PORT" "$PIN"
URL="http://127.0.0.1:$PORT/healthz"
bench_wait_ready "$URL" --http2-prior-knowledge

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $REQUESTS requests, $STREAMS streams per connection"
printf '%-8s %12s %10s %10s %10s %10s %8s %12s\n' clients "requests/s" "min" "mean" "max" "sd" failed "peak RSS"
for c in $CLIENTS; do
    timeout 600 "${CLIENT_CPU[@]}" h2load -c"$c" -m"$STREAMS" -n"$REQUESTS" "$URL" >"$WORK/h2load.txt"
    rps=$(awk '/^finished in/ {gsub(",", "", $4); print $4}' "$WORK/h2load.txt")
    read -r min max mean sd < <(awk '/^time for request:/ {print $4, $5, $6, $7}' "$WORK/h2load.txt")
    failed=$(awk '/^requests:/ {for (i = 1; i <= NF; i++) if ($i ~ /^(failed|errored|timeout),?$/) n += $(i - 1)} END {print n + 0}' "$WORK/h2load.txt")
    rss=$(bench_peak_rss)
    printf '%-8s %12s %10s %10s %10s %10s %8s %12s\n' "$c" "$rps" "$min" "$mean" "$max" "$sd" "$failed" "$rss"
done
