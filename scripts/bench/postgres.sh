#!/usr/bin/env bash
# PostgreSQL mode (state.postgres), measured against the database's own ceiling and against memory mode:
#   1. `pgbench -b tpcb-like` on a throwaway server with C clients for D seconds: the database's TPS here;
#   2. webhook ingest through two replicas sharing that server (wrk, C connections split between them, every delivery
#      a new key and a new scan; each replica's pool C/2 connections, so the database sees C sessions as it does
#      pgbench's C clients): accepted deliveries per second, target >= 0.5 x pgbench's TPS;
#   3. GET /v1/scans/{id} on a replica vs a memory-mode server holding the same scans (target >= 0.8 x);
#   4. GET /v1/scans?limit=100 latency with 100,000 scans in the database (first page, and a filtered one);
#   5. RSS of a replica after all of it.
#   scripts/bench/postgres.sh [BINARY]     (default: a release build into .build-release)
# Env: CONNECTIONS (16), SECONDS_EACH (10), LIST_SCANS (100000), KEEP_LOGS (a directory to copy the servers' logs to). Needs wrk, pgbench, curl, PostgreSQL server binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
bench_require "apt-get install wrk postgresql-contrib curl" wrk pgbench curl
BINARY=$(bench_binary "${1:-}")
C=${CONNECTIONS:-16}
D=${SECONDS_EACH:-10}
LIST_SCANS=${LIST_SCANS:-100000}
WORK=$(mktemp -d)
PG="$WORK/pg"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    bash scripts/postgres/throwaway.sh stop "$PG" >/dev/null 2>&1 || true
    if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$WORK"/*.txt "$KEEP_LOGS"/ 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"

conn=$(bash scripts/postgres/throwaway.sh start "$PG")
psql_run() { psql "$conn" -qAtX -v ON_ERROR_STOP=1 "$@"; }
psql_run -c "CREATE DATABASE bench" -c "CREATE DATABASE scanrelay"
pg_bench_conn=${conn/dbname=postgres/dbname=bench}
replica_conn=${conn/dbname=postgres/dbname=scanrelay}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $C connections, ${D} s per run"

# --- 1. pgbench ---
# CPU time (user + system, clock ticks) of processes: where an ingest's cost lands on a machine they all share.
cpu_ticks() {
    local total=0 pid
    for pid in "$@"; do
        if [ -r "/proc/$pid/stat" ]; then total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); fi
    done
    echo "$total"
}
# The server's: the postmaster's own, its live backends', and (cutime, cstime) those of backends that have exited.
postgres_ticks() {
    local pm
    pm=$(head -1 "$PG/data/postmaster.pid")
    echo $(( $(awk '{print $16 + $17}' "/proc/$pm/stat") + $(cpu_ticks "$pm" $(pgrep -P "$pm")) ))
}
per_unit_us() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}'; }
runuser_maybe() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
runuser_maybe pgbench -q -i -s 10 "$pg_bench_conn" >/dev/null 2>&1
pg_before=$(postgres_ticks)
runuser_maybe pgbench -n -b tpcb-like -c "$C" -j 2 -T "$D" "$pg_bench_conn" >"$WORK/pgbench.txt" 2>/dev/null
pg_ticks=$(( $(postgres_ticks) - pg_before ))
pgbench_tps=$(awk '/^tps = / {print $3; exit}' "$WORK/pgbench.txt")
echo "pgbench tpcb-like: $pgbench_tps TPS; PostgreSQL CPU per transaction $(per_unit_us "$pg_ticks" "$(awk '/^number of transactions actually processed:/ {print $NF}' "$WORK/pgbench.txt")") us"

# --- 2. two replicas, webhook ingest ---
cat >"$WORK/replica.yaml" <<YAML
state: { postgres: "$replica_conn", postgresConnections: $((C / 2)) }
cache: { maxScans: 200000 }
sources:
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
YAML
cat >"$WORK/memory.yaml" <<YAML
cache: { maxScans: 200000 }
sources:
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
YAML
start() { # config port -> pid in LAST_PID
    "$BINARY" serve --config "$1" --listen "127.0.0.1:$2" >"$WORK/serve-$2.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    for _ in $(seq 1 300); do
        curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$2/readyz" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server on $2 never became ready:" >&2; cat "$WORK/serve-$2.log" >&2; exit 1
}
start "$WORK/replica.yaml" 18101; replica_a=$LAST_PID
start "$WORK/replica.yaml" 18102
cat >"$WORK/ingest.lua" <<'LUA'
-- Every delivery a new webhook-id and a new scan: inserts, as scanners deliver new results.
local counter = 0
local prefix
init = function(args) prefix = args[1] end
request = function()
    counter = counter + 1
    local id = prefix .. "-" .. counter
    local body = '{"type":"scan.updated","data":{"upstreamId":"' .. id .. '","subject":{"imageId":"img-' .. id ..
        '"},"status":"completed","findings":{"critical":0,"high":1,"medium":2,"low":3}}}'
    return wrk.format("POST", "/v1/webhooks/relay", {["Content-Type"] = "application/json", ["webhook-id"] = id}, body)
end
done = function(summary, latency, requests)
    io.write(string.format("non2xx %d\n", summary.errors.status))
end
LUA
half=$((C / 2))
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_requests() { awk '/ requests in / {print $1}' "$1"; }
replica_pids=("${PIDS[@]}")
pg_before=$(postgres_ticks); sr_before=$(cpu_ticks "${replica_pids[@]}")
wrk -t1 -c"$half" -d"${D}s" -s "$WORK/ingest.lua" http://127.0.0.1:18101 -- a1 >"$WORK/ingest-a.txt" &
wa=$!
wrk -t1 -c"$half" -d"${D}s" -s "$WORK/ingest.lua" http://127.0.0.1:18102 -- b1 >"$WORK/ingest-b.txt"
wait "$wa"
ingest=$(awk -v a="$(wrk_rps "$WORK/ingest-a.txt")" -v b="$(wrk_rps "$WORK/ingest-b.txt")" 'BEGIN {printf "%.0f", a + b}')
pg_ticks=$(( $(postgres_ticks) - pg_before )); sr_ticks=$(( $(cpu_ticks "${replica_pids[@]}") - sr_before ))
delivered=$(( $(wrk_requests "$WORK/ingest-a.txt") + $(wrk_requests "$WORK/ingest-b.txt") ))
errors=$(cat "$WORK/ingest-a.txt" "$WORK/ingest-b.txt" | awk '/^non2xx/ {s += $2} END {print s + 0}')
echo "webhook ingest, 2 replicas: $ingest deliveries/s ($errors not 2xx) = $(awk -v i="$ingest" -v p="$pgbench_tps" 'BEGIN {printf "%.2f", i / p}') x pgbench"
echo "CPU per delivery: replicas $(per_unit_us "$sr_ticks" "$delivered") us, PostgreSQL $(per_unit_us "$pg_ticks" "$delivered") us (of $(nproc) cores for $D s: $(awk -v t="$((sr_ticks + pg_ticks))" -v hz="$(getconf CLK_TCK)" -v d="$D" -v c="$(nproc)" 'BEGIN {printf "%.0f", t / hz / (d * c) * 100}') %)"

# --- 3. lookups: replica vs memory mode, on the same 1,000 scans ---
start "$WORK/memory.yaml" 18103
for i in $(seq 0 999); do
    printf '{"type":"scan.updated","data":{"upstreamId":"look-%d","subject":{"imageId":"img-look-%d"},"status":"completed"}}\n' "$i" "$i"
done >"$WORK/look.jsonl"
i=0
while IFS= read -r body; do
    for port in 18101 18103; do
        curl -fsS -o /dev/null -H 'Content-Type: application/json' -H "webhook-id: look-$i" --data "$body" \
            "http://127.0.0.1:$port/v1/webhooks/relay"
    done
    i=$((i + 1))
done <"$WORK/look.jsonl"
cat >"$WORK/lookup.lua" <<'LUA'
math.randomseed(7)
request = function() return wrk.format("GET", "/v1/scans/relay:look-" .. math.random(0, 999)) end
LUA
wrk -t2 -c"$C" -d"${D}s" -s "$WORK/lookup.lua" http://127.0.0.1:18101 >"$WORK/look-pg.txt"
wrk -t2 -c"$C" -d"${D}s" -s "$WORK/lookup.lua" http://127.0.0.1:18103 >"$WORK/look-mem.txt"
pg_look=$(wrk_rps "$WORK/look-pg.txt"); mem_look=$(wrk_rps "$WORK/look-mem.txt")
echo "GET /v1/scans/{id}: PostgreSQL mode $pg_look req/s, memory mode $mem_look req/s = $(awk -v a="$pg_look" -v b="$mem_look" 'BEGIN {printf "%.2f", a / b}') x"

# --- 4. list latency at LIST_SCANS scans ---
have=$(psql "$replica_conn" -qAtX -c "SELECT count(*) FROM scans")
missing=$((LIST_SCANS - have))
# Seeded through the service itself (the same rows a delivery writes), through both replicas at once. wrk cannot
# stop after a number of requests (a stopped thread still waits out -d), so each round runs for the time the
# missing rows take at the rate measured above, with a margin; rounds repeat until the table holds enough.
cat >"$WORK/seed.lua" <<'LUA'
local counter = 0
local prefix
init = function(args) prefix = args[1] end
request = function()
    counter = counter + 1
    local id = prefix .. "-" .. counter
    return wrk.format("POST", "/v1/webhooks/relay", {["Content-Type"] = "application/json", ["webhook-id"] = "seed-" .. id},
        '{"type":"scan.updated","data":{"upstreamId":"seed-' .. id .. '","subject":{"imageId":"img-seed-' .. id .. '"},"status":"running"}}')
end
LUA
round=0
seed_started=$SECONDS
while [ "$missing" -gt 0 ]; do
    round=$((round + 1))
    seconds=$(awk -v m="$missing" -v r="$ingest" 'BEGIN {if (r < 100) r = 100; printf "%d", m / r * 1.1 + 2}')
    wrk -t1 -c"$half" -d"${seconds}s" -s "$WORK/seed.lua" http://127.0.0.1:18101 -- "r$round-a" >/dev/null &
    seed_a=$!
    wrk -t1 -c"$half" -d"${seconds}s" -s "$WORK/seed.lua" http://127.0.0.1:18102 -- "r$round-b" >/dev/null
    wait "$seed_a"
    have=$(psql "$replica_conn" -qAtX -c "SELECT count(*) FROM scans")
    missing=$((LIST_SCANS - have))
done
echo "seeded to $have scans in $round round(s), $((SECONDS - seed_started)) s"
scans=$(psql "$replica_conn" -qAtX -c "SELECT count(*) FROM scans")
cat >"$WORK/list.lua" <<'LUA'
done = function(summary, latency, requests)
    io.write(string.format("p50 %.2f ms, p99 %.2f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
wrk -t1 -c1 -d"${D}s" -s "$WORK/list.lua" "http://127.0.0.1:18102/v1/scans?limit=100" >"$WORK/list.txt"
wrk -t1 -c1 -d"${D}s" -s "$WORK/list.lua" "http://127.0.0.1:18102/v1/scans?limit=100&status=completed" >"$WORK/list-filtered.txt"
echo "GET /v1/scans?limit=100 at $scans scans, 1 connection: $(tail -1 "$WORK/list.txt")"
echo "GET /v1/scans?limit=100&status=completed at $scans scans: $(tail -1 "$WORK/list-filtered.txt")"

# --- 5. RSS ---
echo "replica RSS after the runs: $(awk '/^VmRSS:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$replica_a/status") (peak $(awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$replica_a/status"))"
