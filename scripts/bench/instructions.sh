#!/usr/bin/env bash
# Instructions per request (callgrind) and idle RSS of `scanrelay serve`, optionally beside the Hummingbird comparison
# app: figures that do not depend on what else runs on the machine, unlike requests/s (compare.sh). For tuning the
# request path on a shared, loaded machine.
#
#   scripts/bench/instructions.sh                    # builds release into .build-release, then measures
#   scripts/bench/instructions.sh --binary PATH      # an already built binary
#   options: --requests N (1000 a endpoint)  --scans N (1000 seeded)  --port N (18190)
#            --keep DIR (keep the callgrind dumps, one per endpoint and server, for callgrind_annotate)
#            --hb-binary PATH (also profile Benchmarks/HummingbirdBench, built as compare.sh builds it)
#
# Prints idle RSS (VmRSS 1 s after ready, run natively, before any request), then one row per endpoint: the
# instructions the whole server process (every thread) executed per request, over N sequential requests on one
# keep-alive connection (scripts/bench/instructions.py); for ScanRelay also the scan lookup over h2c, one stream at a
# time and ten at once. Needs valgrind (apt-get install valgrind), curl, python3 with h2 (pip install h2).
set -euo pipefail
cd "$(dirname "$0")/../.."

BINARY=""
REQUESTS=1000
SCANS=1000
PORT=18190
KEEP=""
HB_BINARY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --requests) REQUESTS="$2"; shift 2 ;;
        --scans) SCANS="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --keep) KEEP="$2"; shift 2 ;;
        --hb-binary) HB_BINARY="$2"; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 64 ;;
    esac
done
# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh
bench_require "apt-get install valgrind binutils gcc curl python3" valgrind callgrind_control objcopy cc curl python3
BINARY="$(bench_binary "$BINARY")"

SOURCE=relay
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WORK="$(mktemp -d)"
SERVER_PID=""
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# The configuration compare.sh runs ScanRelay with.
cat >"$WORK/scanrelay.yaml" <<YAML
listen: 127.0.0.1:$PORT
logLevel: warning
limits: { maxConnections: 20000 }
cache: { maxScans: 5000000 }
sources:
  - name: $SOURCE
    provider: scanrelay
    webhook: { verify: standard-webhooks, secret: "$SECRET" }
YAML

wait_ready() { # SECONDS (bounded)
    for _ in $(seq 1 $(($1 * 10))); do
        curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/healthz" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "the server did not become ready; its log:" >&2; cat "$WORK"/*.log >&2; exit 1
}

"$BINARY" serve --config "$WORK/scanrelay.yaml" >"$WORK/scanrelay.log" 2>&1 &
SERVER_PID=$!
wait_ready 10
sleep 1
echo "idle RSS: $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status")" \
    "(peak $(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status"))"
stop_server

# Valgrind 3.19 cannot read the DWARF 5 debug info Swift 6 emits: profile a copy without it (symbols stay).
cc -shared -fPIC -O2 -o "$WORK/sigsuspend-copy.so" scripts/bench/sigsuspend-copy.c
profile() { # NAME PROTOCOLS BINARY ARGS...: instructions per request of one server under callgrind
    local name="$1" protocols="$2" binary="$3"
    shift 3
    objcopy --strip-debug "$binary" "$WORK/$name"
    mkdir -p "$WORK/$name.dumps"
    # Names uncompressed: each dump then reads on its own (callgrind_annotate FILE).
    LD_PRELOAD="$WORK/sigsuspend-copy.so" valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
        --callgrind-out-file="$WORK/$name.dumps/callgrind.out" "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    wait_ready 120
    echo "$name:"
    timeout 1800 python3 scripts/bench/instructions.py "$SERVER_PID" "$PORT" "$SOURCE" "$SECRET" \
        "$WORK/$name.dumps/callgrind.out" "$REQUESTS" "$SCANS" "$protocols"
    stop_server
    if [ -n "$KEEP" ]; then mkdir -p "$KEEP/$name" && cp "$WORK/$name.dumps"/callgrind.out.* "$KEEP/$name"/; fi
}
profile scanrelay h2c "$BINARY" serve --config "$WORK/scanrelay.yaml"
# Benchmarks/HummingbirdBench takes PORT SCANS SOURCE SECRET and seeds its scans itself; the driver's seeding
# webhooks are then new deliveries of existing scans, as for ScanRelay.
if [ -n "$HB_BINARY" ]; then profile hummingbird h1 "$HB_BINARY" "$PORT" "$SCANS" "$SOURCE" "$SECRET"; fi
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) (instruction counts do not depend on it)"
