#!/usr/bin/env bash
# API conformance: validates openapi.yaml, starts `scanrelay serve` on a free port with a seeded cache, and runs
# schemathesis against it with the spec (checks not_a_server_error, status_code_conformance,
# content_type_conformance, response_schema_conformance). Zero failures or it exits non-zero.
#
#   scripts/api-conformance.sh [path/to/scanrelay]     (default: .build/debug/scanrelay)
#
# GET /v1/events is a stream that never ends, which schemathesis cannot read as one response: it is excluded from
# the schemathesis run and checked here with curl instead (status, content type, first frame).
#
# Phases: examples, fuzzing and stateful. The coverage phase is left out: in schemathesis 4.32.5 it stops with an
# internal error (KeyError / "AST constructor recursion depth mismatch") on this spec, and its unsupported-method
# probes count the 501 that the contract requires for TRACE (a method implemented nowhere) as a server error.
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/debug/scanrelay}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
[ -x "$binary" ] || { echo "api-conformance: no executable at $binary (swift build first)" >&2; exit 2; }

openapi-spec-validator openapi.yaml

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"

# A source of every provider. `binarly` verifies nothing, so the spec's example ids (binarly:01ARZ...) can be put
# in the cache, and has an upstream on a port nothing listens on (nothing leaves this machine; its polls fail and
# are recorded as the watch's lastError), so the spec's example watch can be created and then read and deleted.
dead_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
cat > "$work/config.yaml" <<YAML
listen: 127.0.0.1:$port
limits: { shutdownGrace: 2s }
cache: { ssePingInterval: 1s }
poll: { requestTimeout: 2s }
sources:
  - { name: binarly, provider: binarly, upstream: { baseURL: "http://127.0.0.1:$dead_port", auth: { bearer: unused } }, webhook: { verify: none } }
  - { name: relay, provider: scanrelay, webhook: { verify: none } }
  - { name: yandex, provider: yandex, webhook: { verify: standard-webhooks, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } }
  - { name: harbor, provider: harbor, webhook: { verify: token, token: "Basic c2VjcmV0" } }
YAML

SCANRELAY_LOG_LEVEL=warning "$binary" serve --config "$work/config.yaml" > "$work/server.log" 2>&1 &
server=$!
stop_server() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop_server EXIT

for _ in $(seq 1 100); do
    curl -fsS "$base/readyz" > /dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "$base/readyz" > /dev/null

# Seed: terminal scans (so examples with `wait` answer at once) under the ids the spec's examples use.
seed() {
    curl -fsS -o /dev/null -X POST "$base/v1/webhooks/$1" -H 'Content-Type: application/json' --data-binary "$2"
}
seed binarly '{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAX","parent":"products/01ARZ3NDEKTSV4RRFFQ69G5FAV/images/01ARZ3NDEKTSV4RRFFQ69G5FAW","createTime":"2026-11-23T09:00:00Z","author":"ci@example.com","latestScanState":{"type":"completed","updateTime":"2026-11-23T10:02:00Z"}}'
curl -fsS "$base/v1/scans/binarly:01ARZ3NDEKTSV4RRFFQ69G5FAX" > /dev/null
for i in 1 2 3 4 5; do
    seed relay "{\"type\":\"scan.completed\",\"data\":{\"upstreamId\":\"scan-$i\",\"subject\":{\"imageId\":\"image-$((i % 2))\"},\"status\":\"failed\"}}"
done

# The event stream, which schemathesis cannot consume: 200, text/event-stream, a first frame.
events="$(curl -sS -i --max-time 2 "$base/v1/events" || true)"
grep -qi '^HTTP/1.1 200' <<< "$events" || { echo "GET /v1/events did not answer 200" >&2; exit 1; }
grep -qi '^content-type: text/event-stream' <<< "$events" || { echo "GET /v1/events is not text/event-stream" >&2; exit 1; }
grep -q '^retry: ' <<< "$events" || { echo "GET /v1/events sent no first frame" >&2; exit 1; }

schemathesis run openapi.yaml \
    --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path /v1/events \
    --max-examples "$max_examples" \
    --request-timeout 20 \
    --seed 20261123 \
    --workers 2 \
    --phases examples,fuzzing,stateful

kill -0 "$server" 2>/dev/null || { echo "the server died during the run" >&2; cat "$work/server.log" >&2; exit 1; }
echo "api-conformance: OK"
