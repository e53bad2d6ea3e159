#!/usr/bin/env bash
# Side-by-side benchmark (not a test): ScanRelay vs a Hummingbird 2 app doing the same work
# (Benchmarks/HummingbirdBench) vs a plain Go net/http + encoding/json service doing it too (Benchmarks/GoBench:
# what a team would write instead) vs nginx serving a static file (the ceiling for /healthz). Prints one table.
#
#   scripts/bench/compare.sh                 # builds both in release, runs everything (about 8 minutes)
#   options: --duration S (10)  --scans N (10000 seeded)  --connections "32 256"  --pinning "yes no"
#            --binary PATH (a built scanrelay)  --hb-binary PATH (a built HBBench)  --go-binary PATH (a built gobench)
#
# Needs: wrk, h2load (nghttp2-client), nginx, curl, python3, taskset (util-linux), go (golang-go):
#   apt-get install wrk nghttp2-client nginx curl golang-go
# Endpoints: GET /healthz; GET /v1/scans/{id} over N seeded scans (ids drawn at random); POST /v1/webhooks/{source}
# with Standard Webhooks signatures, each request a distinct delivery id and a new scan, pre-signed before each run
# (wrk's Lua has no HMAC) with a timestamp fresh at that run's start. Both servers verify, decode and store.
# "pinned": the servers started under `taskset -c 0` (so each sizes its threads for one core, as it would when
# deployed on one), wrk/h2load on CPU 1; "no": started and run on every core. Each pinning mode starts the three
# servers afresh; peak RSS is a server's VmHWM so far within its mode, rows in the table's order.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=10
SCANS=10000
CONNECTIONS="32 256"
PINNING="yes no"
BINARY=""
HB_BINARY=""
GO_BINARY=""
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --scans) SCANS="$2"; shift 2 ;;
        --connections) CONNECTIONS="$2"; shift 2 ;;
        --pinning) PINNING="$2"; shift 2 ;;
        --binary) BINARY="$2"; shift 2 ;;
        --hb-binary) HB_BINARY="$2"; shift 2 ;;
        --go-binary) GO_BINARY="$2"; shift 2 ;;
        *) echo "unknown option: $1" >&2; exit 64 ;;
    esac
done
# shellcheck source=scripts/bench/lib.sh
source scripts/bench/lib.sh
bench_require "apt-get install wrk nghttp2-client nginx curl golang-go" wrk h2load nginx curl python3 taskset go
BINARY="$(bench_binary "$BINARY")"
if [ -z "$HB_BINARY" ]; then
    timeout 1800 swift build -c release --package-path Benchmarks/HummingbirdBench --scratch-path .build-bench-hb >&2
    HB_BINARY=.build-bench-hb/release/HBBench
fi
if [ -z "$GO_BINARY" ]; then
    mkdir -p .build-bench-go
    (cd Benchmarks/GoBench && GOFLAGS=-mod=mod GOCACHE="$PWD/../../.build-bench-go/cache" go build -o ../../.build-bench-go/gobench .) >&2
    GO_BINARY=.build-bench-go/gobench
fi

SR_PORT=18180; HB_PORT=18181; NGINX_PORT=18182; NGINX_H2_PORT=18183; GO_PORT=18184
SOURCE=relay
SECRET="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
WORK="$(mktemp -d)"
chmod 755 "$WORK"  # nginx workers (www-data) read the static file below it
PIDS=()

stop_servers() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
stop_all() {
    stop_servers
    rm -rf "$WORK"
}
trap stop_all EXIT

# Signed webhook bodies: the same scan document Benchmarks/HummingbirdBench seeds itself with (BenchScan.seeded).
cat >"$WORK/sign.py" <<'PY'
import base64, hashlib, hmac, http.client, json, socket, sys, time
mode, secret, source = sys.argv[1], sys.argv[2], sys.argv[3]
key = base64.b64decode(secret[len("whsec_"):])
def body(i):
    return json.dumps({"type": "scan.completed", "data": {
        "id": f"{source}:bench-{i}", "source": source, "provider": "binarly", "upstreamId": f"bench-{i}",
        "subject": {"imageId": f"image-{i}", "productId": f"product-{i % 100}"},
        "status": "completed", "upstreamStatus": "done", "createdAt": "2026-01-20T10:00:00Z",
        "updatedAt": "2026-01-20T10:42:20Z", "upstreamUpdatedAt": "2026-01-20T10:42:17Z",
        "completedAt": "2026-01-20T10:42:17Z",
        "findings": {"critical": 0, "high": 1, "medium": 2, "low": 0, "negligible": 0, "unknown": 0, "total": 3},
        "score": None, "checks": [], "via": "webhook", "revision": 1}}, separators=(",", ":"))
def signed(i, prefix, ts):
    b, msg_id = body(i), f"msg_{prefix}_{i}"
    mac = hmac.new(key, f"{msg_id}.{ts}.{b}".encode(), hashlib.sha256).digest()
    return msg_id, str(ts), "v1," + base64.b64encode(mac).decode(), b
if mode == "seed":      # sign.py seed SECRET SOURCE PORT N: post N deliveries over one keep-alive connection
    port, n = int(sys.argv[4]), int(sys.argv[5])
    conn, ts = http.client.HTTPConnection("127.0.0.1", port, timeout=10), int(time.time())
    conn.connect()  # http.client writes headers and body separately: without NODELAY, Nagle stalls each one
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(n):
        msg_id, t, sig, b = signed(i, "seed", ts)
        conn.request("POST", f"/v1/webhooks/{source}", b, {"Content-Type": "application/json",
                     "webhook-id": msg_id, "webhook-timestamp": t, "webhook-signature": sig})
        response = conn.getresponse(); response.read()
        if response.status != 202: sys.exit(f"seeding: delivery {i} got {response.status}")
else:                   # sign.py requests SECRET SOURCE FILE COUNT FIRST PREFIX: one tab-separated request a line
    path, count, first, prefix = sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
    ts = int(time.time())
    with open(path, "w") as out:
        for i in range(first, first + count):
            out.write("\t".join(signed(i, prefix, ts)) + "\n")
PY

cat >"$WORK/scans.lua" <<LUA
-- GET /v1/scans/{id} over the seeded ids, drawn at random.
math.randomseed(42)
request = function() return wrk.format("GET", "/v1/scans/$SOURCE:bench-" .. math.random(0, $SCANS - 1)) end
LUA
cat >"$WORK/webhooks.lua" <<LUA
-- POST /v1/webhooks/{source}: reads pre-signed deliveries one a line (distinct ids until the file wraps).
local path, file
init = function(args) path = args[1]; file = assert(io.open(path)) end
request = function()
    local line = file:read("*l")
    if not line then file:close(); file = assert(io.open(path)); line = file:read("*l") end
    local id, ts, sig, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)")
    return wrk.format("POST", "/v1/webhooks/$SOURCE", {["Content-Type"] = "application/json",
        ["webhook-id"] = id, ["webhook-timestamp"] = ts, ["webhook-signature"] = sig}, body)
end
LUA

wait_ready() { # URL PID NAME (bounded: 10 s)
    for _ in $(seq 1 1000); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.01
    done
    echo "$3 did not become ready; its logs:" >&2; cat "$WORK"/*.log "$WORK"/nginx/logs/*.log >&2 2>/dev/null; exit 1
}

# --- servers ---
cat >"$WORK/scanrelay.yaml" <<YAML
listen: 127.0.0.1:$SR_PORT
logLevel: warning
limits: { maxConnections: 20000 }
cache: { maxScans: 5000000 }
sources:
  - name: $SOURCE
    provider: scanrelay
    webhook: { verify: standard-webhooks, secret: "$SECRET" }
YAML
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/html"
printf '{"status":"ok"}' >"$WORK/nginx/html/healthz"
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000000;  # nginx closes connections after 1000 requests by default (h2load does not reconnect)
    client_body_temp_path $WORK/nginx/tmp;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        listen 127.0.0.1:$NGINX_H2_PORT http2;
        location = /healthz { root $WORK/nginx/html; default_type application/json; }
    }
}
NGINX

server_cpu() { if [ "$1" = yes ]; then echo "taskset -c 0"; else echo ""; fi; }
start_servers() { # yes|no: started on CPU 0 only, or on every core
    local pinned="$1" started
    started=$(date +%s%N)
    # shellcheck disable=SC2046
    $(server_cpu "$pinned") "$BINARY" serve --config "$WORK/scanrelay.yaml" >"$WORK/scanrelay.log" 2>&1 &
    SR_PID=$!; PIDS+=("$SR_PID")
    wait_ready "http://127.0.0.1:$SR_PORT/healthz" "$SR_PID" scanrelay
    echo "pinned=$pinned scanrelay: ready $(( ($(date +%s%N) - started) / 1000000 )) ms after exec (curl polls every" \
        "10 ms), idle RSS $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SR_PID/status")"
    started=$(date +%s%N)
    # shellcheck disable=SC2046
    $(server_cpu "$pinned") "$HB_BINARY" "$HB_PORT" "$SCANS" "$SOURCE" "$SECRET" >"$WORK/hb.log" 2>&1 &
    HB_PID=$!; PIDS+=("$HB_PID")
    wait_ready "http://127.0.0.1:$HB_PORT/healthz" "$HB_PID" hummingbird
    echo "pinned=$pinned hummingbird: ready $(( ($(date +%s%N) - started) / 1000000 )) ms after exec, with $SCANS" \
        "scans seeded, RSS $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$HB_PID/status")"
    started=$(date +%s%N)
    # shellcheck disable=SC2046
    $(server_cpu "$pinned") "$GO_BINARY" "$GO_PORT" "$SCANS" "$SOURCE" "$SECRET" >"$WORK/go.log" 2>&1 &
    GO_PID=$!; PIDS+=("$GO_PID")
    wait_ready "http://127.0.0.1:$GO_PORT/healthz" "$GO_PID" go
    echo "pinned=$pinned go net/http: ready $(( ($(date +%s%N) - started) / 1000000 )) ms after exec, with $SCANS" \
        "scans seeded, RSS $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$GO_PID/status")"
    # shellcheck disable=SC2046
    $(server_cpu "$pinned") nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
    NGINX_PID=$!; PIDS+=("$NGINX_PID")
    wait_ready "http://127.0.0.1:$NGINX_PORT/healthz" "$NGINX_PID" nginx
    timeout 600 python3 "$WORK/sign.py" seed "$SECRET" "$SOURCE" "$SR_PORT" "$SCANS"
    for port in "$SR_PORT" "$HB_PORT" "$GO_PORT"; do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/v1/scans/$SOURCE:bench-$((SCANS - 1))" \
            || { echo "server on $port does not have the seeded scans" >&2; exit 1; }
    done
}

# --- measurement ---
declare -A RPS
pids_of() { # a server's processes: nginx's workers with its master
    if [ "$1" = "$NGINX_PID" ]; then echo "$1 $(pgrep -P "$1" | tr '\n' ' ')"; else echo "$1"; fi
}
client_cpu() { if [ "$1" = yes ]; then echo "taskset -c 1"; else echo ""; fi; }
peak_rss() { # summed VmHWM in MiB
    local kib=0
    for pid in $(pids_of "$1"); do kib=$((kib + $(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status"))); done
    awk -v k="$kib" 'BEGIN {printf "%.1f", k / 1024}'
}
to_ms() { awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.3f", v / 1000; else if (v ~ /ms$/) printf "%.3f", v + 0;
    else if (v ~ /s$/) printf "%.3f", v * 1000; else print "-" }'; }

printf '%-22s %-5s %5s %-6s %-11s %11s %9s %9s %7s %9s %s\n' \
    endpoint proto conns pinned server "requests/s" "p50 ms" "p99 ms" errors "RSS MiB" "ratio"
row() { # endpoint proto conns pinned server rps p50 p99 errors rss
    local key="$1|$2|$3|$4" ratio="-"
    RPS["$key|$5"]="$6"
    if [ "$5" = scanrelay ] && [ -n "${RPS[$key|hummingbird]:-}" ]; then
        ratio=$(awk -v a="$6" -v b="${RPS[$key|hummingbird]}" 'BEGIN {printf "%.2fx HB", a / b}')
        if [ -n "${RPS[$key|go]:-}" ]; then
            ratio="$ratio, $(awk -v a="$6" -v b="${RPS[$key|go]}" 'BEGIN {printf "%.2fx Go", a / b}')"
        fi
    elif [ "$5" = nginx ] && [ -n "${RPS[$key|scanrelay]:-}" ]; then
        ratio=$(awk -v a="${RPS[$key|scanrelay]}" -v b="$6" 'BEGIN {printf "SR %.2fx", a / b}')
    elif [ "$5" = scanrelay ] && [ "$2" = h2c ] && [ -n "${RPS[$1|h1|32|$4|scanrelay]:-}" ]; then
        ratio=$(awk -v a="$6" -v b="${RPS[$1|h1|32|$4|scanrelay]}" 'BEGIN {printf "%.2fx own h1", a / b}')
    fi
    printf '%-22s %-5s %5s %-6s %-11s %11s %9s %9s %7s %9s %s\n' "$@" "$ratio"
}

run_wrk() { # endpoint conns pinned server pid port
    local endpoint="$1" conns="$2" pinned="$3" server="$4" pid="$5" port="$6" script=() url
    url="http://127.0.0.1:$port/healthz"
    case "$endpoint" in
        "GET /v1/scans/{id}") script=(-s "$WORK/scans.lua") ;;
        "POST /v1/webhooks") script=(-s "$WORK/webhooks.lua") ;;
    esac
    # shellcheck disable=SC2046
    timeout $((DURATION + 60)) $(client_cpu "$pinned") wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 5s --latency \
        "${script[@]}" "$url" -- "$WORK/deliveries.tsv" >"$WORK/wrk.txt"
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/wrk.txt")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk.txt")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk.txt")")
    errors=$(awk '/Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} /Non-2xx/ {n += $NF} END {print n + 0}' "$WORK/wrk.txt")
    row "$endpoint" h1 "$conns" "$pinned" "$server" "$rps" "$p50" "$p99" "$errors" "$(peak_rss "$pid")"
}

run_h2load() { # endpoint pinned server pid port
    local endpoint="$1" pinned="$2" server="$3" pid="$4" port="$5"
    if [ "$endpoint" = "GET /v1/scans/{id}" ]; then
        python3 -c "import random; random.seed(42); print('\n'.join('http://127.0.0.1:$port/v1/scans/$SOURCE:bench-%d' % random.randrange($SCANS) for _ in range(1000)))" >"$WORK/uris.txt"
    else
        echo "http://127.0.0.1:$port/healthz" >"$WORK/uris.txt"
    fi
    # shellcheck disable=SC2046
    timeout $((DURATION + 60)) $(client_cpu "$pinned") h2load -c32 -m10 -D "$DURATION" --warm-up-time=1 \
        --log-file="$WORK/h2.log" -i "$WORK/uris.txt" >"$WORK/h2.txt"
    local rps errors p50 p99
    rps=$(awk '/^finished in/ {gsub(",", ""); printf "%.0f", $4}' "$WORK/h2.txt")
    errors=$(awk '/^requests:/ {print $10 + $12}' "$WORK/h2.txt")
    # The log has one line per request: start (µs), status, latency (µs).
    read -r p50 p99 < <(cut -f3 "$WORK/h2.log" | sort -n | awk '{v[NR] = $1} END {
        printf "%.3f %.3f\n", v[int(NR * 0.5) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
    row "$endpoint" h2c 32 "$pinned" "$server" "$rps" "$p50" "$p99" "$errors" "$(peak_rss "$pid")"
}

# Deliveries signed for one pair of runs (the servers are separate, so both may receive the same ones): 15,000 per
# second of run; a faster server wraps around to duplicates, which are verified and acknowledged with 200.
WEBHOOK_BATCH=$((DURATION * 15000))
RUN=0
sign_deliveries() {
    RUN=$((RUN + 1))
    timeout 600 python3 "$WORK/sign.py" requests "$SECRET" "$SOURCE" "$WORK/deliveries.tsv" \
        "$WEBHOOK_BATCH" $((SCANS + RUN * WEBHOOK_BATCH)) "run$RUN"
}
for pinned in $PINNING; do
    start_servers "$pinned"
    for endpoint in "GET /healthz" "GET /v1/scans/{id}" "POST /v1/webhooks"; do
        for conns in $CONNECTIONS; do
            if [ "$endpoint" = "POST /v1/webhooks" ]; then sign_deliveries; fi
            run_wrk "$endpoint" "$conns" "$pinned" hummingbird "$HB_PID" "$HB_PORT"
            run_wrk "$endpoint" "$conns" "$pinned" go "$GO_PID" "$GO_PORT"
            run_wrk "$endpoint" "$conns" "$pinned" scanrelay "$SR_PID" "$SR_PORT"
            if [ "$endpoint" = "GET /healthz" ]; then
                run_wrk "$endpoint" "$conns" "$pinned" nginx "$NGINX_PID" "$NGINX_PORT"
            fi
        done
        # h2c right after the same endpoint's HTTP/1.1 rows, so both see the server in the same state (before the
        # webhook rows have grown its cache by hundreds of thousands of scans).
        case "$endpoint" in
            "GET /healthz")
                run_h2load "$endpoint" "$pinned" scanrelay "$SR_PID" "$SR_PORT"
                run_h2load "$endpoint" "$pinned" nginx "$NGINX_PID" "$NGINX_H2_PORT" ;;
            "GET /v1/scans/{id}")
                run_h2load "$endpoint" "$pinned" scanrelay "$SR_PID" "$SR_PORT" ;;
        esac
    done
    stop_servers
done
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo); load now $(cut -d' ' -f1-3 /proc/loadavg)"
