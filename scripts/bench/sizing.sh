#!/usr/bin/env bash
# Memory and CPU of one `scanrelay serve`, for the Kubernetes requests and limits (README.md "Deployment", sizing):
# idle, then under a webhook flood that fills the cache past cache.maxScans (every delivery a new scan, so the
# cache evicts), then under reads (GET /healthz, /v1/scans pages), then idle again.
#
#   scripts/bench/sizing.sh BINARY [--seconds S (20)] [--max-scans N (100000)]
#
# BINARY: e.g. the image's, copied out of it (`podman create` + `podman cp CTR:/usr/local/bin/scanrelay .`, with
# its ScanRelay_ScanRelayApp.resources beside it), or .build-release/release/scanrelay. A benchmark, not a test:
# it needs a quiet machine for its CPU figures (memory figures hold on a busy one). Loopback only; bounded by time.
set -euo pipefail
binary=$1
shift
seconds=20
max_scans=100000
while (($#)); do
    case $1 in
        --seconds) seconds=$2; shift 2 ;;
        --max-scans) max_scans=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }

work=$(mktemp -d -t scanrelay-sizing.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/scanrelay.yaml" <<EOF
listen: 127.0.0.1:$port
logLevel: warning
cache: { maxScans: $max_scans }
sources:
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
EOF
# Each request a new delivery of a new scan (the relay provider: ScanRelay's own event format).
cat >"$work/deliveries.lua" <<'EOF'
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    counter = counter + 1
    local id = string.format("01JZ%022d", counter)
    local body = '{"type":"scan.completed","data":{"id":"relay:' .. id .. '","source":"relay","provider":"binarly",'
        .. '"upstreamId":"' .. id .. '","subject":{"imageId":"img-' .. id .. '","productId":"01JQPGDX8QW0YJ0XEKV1EVG534"},'
        .. '"status":"completed","upstreamStatus":"done","createdAt":"2026-01-20T10:00:00Z",'
        .. '"updatedAt":"2026-01-20T10:42:20Z","upstreamUpdatedAt":"2026-01-20T10:42:17Z",'
        .. '"completedAt":"2026-01-20T10:42:17Z","findings":{"critical":0,"high":1,"medium":2,"low":0,'
        .. '"negligible":0,"unknown":0,"total":3},"score":null,"checks":[],"via":"poll","revision":4}}'
    return wrk.format(nil, "/v1/webhooks/relay", nil, body)
end
EOF

"$binary" serve --config "$work/scanrelay.yaml" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && break
    sleep 0.1
done

mib() { awk -v key="$1:" '$1 == key { printf "%.1f", $2 / 1024 }' "/proc/$pid/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
row() { printf '%-44s %10s %10s %12s\n' "$@"; }
# Runs "$@" (a load, or sleep) and prints the phase's CPU use in cores (CPU seconds / wall seconds).
phase() {
    local name=$1 started ticks cores
    shift
    started=$(date +%s.%N)
    ticks=$(cpu_ticks)
    "$@" >"$work/phase.txt"
    cores=$(awk -v t="$(( $(cpu_ticks) - ticks ))" -v hz="$hz" -v s="$started" -v now="$(date +%s.%N)" \
        'BEGIN { printf "%.2f", t / hz / (now - s) }')
    rps=$(awk '/^Requests\/sec:/ { printf "%d", $2 }' "$work/phase.txt")
    row "$name" "$(mib VmRSS)" "$cores" "${rps:--}"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); cache.maxScans $max_scans"
row phase "RSS MiB" "CPU cores" "requests/s"
row "idle, just started" "$(mib VmRSS)" - -
phase "idle, 10 s" sleep 10
phase "webhooks, new scan each, 32 conns, ${seconds} s" \
    wrk -t1 -c32 -d"${seconds}s" --timeout 5s -s "$work/deliveries.lua" "http://127.0.0.1:$port"
scans=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^scanrelay_cached_scans[ {]/ { print $NF; exit }')
phase "GET /healthz, 32 conns, ${seconds} s" wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$port/healthz"
phase "GET /v1/scans?limit=100, 32 conns, ${seconds} s" \
    wrk -t1 -c32 -d"${seconds}s" "http://127.0.0.1:$port/v1/scans?limit=100"
phase "idle after the load, 10 s" sleep 10
echo "peak RSS (VmHWM): $(mib VmHWM) MiB; scans cached after the webhooks: ${scans:-unknown}"
