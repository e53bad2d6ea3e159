#!/usr/bin/env bash
# Hostile-client suite: starts `scanrelay serve` on a free loopback port with low limits and runs
# hostile_clients.py against it (smuggling, oversize parts, slowloris, floods, HTTP/2 rapid reset and CONTINUATION
# floods, invalid bytes, event-stream subscribers that never read), each attack while a normal client is served. Exits non-zero on any failure.
#
#   scripts/hostile/run.sh [path/to/scanrelay] [--only "attack name" ...]
#
# Without a binary it builds one: `swift build --product scanrelay` with the scratch path in SCANRELAY_SCRATCH
# (default .build, as CI uses). Needs python3 with h2 (scripts/requirements.txt). Bounded: the suite takes about a
# minute and is killed after SUITE_SECONDS (default 180).
#
# HOSTILE_P99_MS (default 100): how much an attack may add to the normal client's p99 latency over a first control
# window with no attack (on an idle machine that p99 is a few ms, so the bound is about 100 ms; on a loaded shared
# machine the control p99 alone can reach 100 ms, and the attacks compete with this script for the same cores).
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=""
if [[ $# -gt 0 && "$1" != --* ]]; then
    binary=$1
    shift
fi
if [[ -z "$binary" ]]; then
    scratch="${SCANRELAY_SCRATCH:-.build}"
    swift build --scratch-path "$scratch" --product scanrelay
    binary="$(swift build --scratch-path "$scratch" --show-bin-path)/scanrelay"
fi
[[ -x "$binary" ]] || { echo "hostile: no executable at $binary" >&2; exit 2; }

# The suite opens maxConnections + 50 sockets at once, plus the slowloris and normal-client ones.
ulimit -n 4096

max_connections=256
header_timeout=2
body_timeout=2
write_timeout=3
request_line=8192
header_bytes=16384
max_sse_subscribers=1000
sse_buffer_bytes=65536

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
cat > "$work/config.yaml" <<YAML
listen: 127.0.0.1:$port
logLevel: error
limits:
  maxConnections: $max_connections
  headerTimeout: ${header_timeout}s
  bodyTimeout: ${body_timeout}s
  writeTimeout: ${write_timeout}s
  idleTimeout: 5s
  maxBodyBytes: 64KiB
  maxRequestLineBytes: $request_line
  maxHeaderBytes: $header_bytes
  maxHeaderFields: 100
  shutdownGrace: 2s
api:
  tokens:
    - { token: hostile-reader, scopes: [read] }
    - { token: hostile-writer, scopes: [read, write] }
cache:
  maxSseSubscribers: $max_sse_subscribers
  sseSubscriberBufferBytes: $sse_buffer_bytes
sources:
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
YAML
"$binary" check-config "$work/config.yaml"

"$binary" serve --config "$work/config.yaml" --listen "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
stop_server() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop_server EXIT

for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done

status=0
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the working tree
timeout "${SUITE_SECONDS:-180}" python3 scripts/hostile/hostile_clients.py \
    --port "$port" --pid "$server" \
    --max-connections "$max_connections" \
    --header-timeout "$header_timeout" --body-timeout "$body_timeout" --write-timeout "$write_timeout" \
    --request-line "$request_line" --header-bytes "$header_bytes" --max-sse-subscribers "$max_sse_subscribers" \
    --sse-buffer-bytes "$sse_buffer_bytes" \
    --p99-ms "${HOSTILE_P99_MS:-100}" "$@" || status=$?
if ((status != 0)); then
    echo "--- server log (last 40 lines)" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit "$status"
