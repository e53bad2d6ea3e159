# Shared by the single-server benchmarks (http1.sh, h2.sh): build, start, wait for and stop `scanrelay serve`.
# Source it after `cd` to the repository root; it defines functions only.

# Prints the binary to run: $1 if given, else a release build into .build-release.
bench_binary() {
    if [ -n "$1" ]; then
        echo "$1"
        return
    fi
    timeout 1800 swift build -c release --scratch-path .build-release --product scanrelay >&2
    echo .build-release/release/scanrelay
}

# Starts `$1 serve --listen 127.0.0.1:$2` (on CPU 0 when $3 is 1) in a fresh $WORK and sets SERVER_PID; the server
# is stopped by its pid (SIGTERM, then SIGKILL after 15 s) and $WORK removed when the script exits.
bench_start_server() {
    local binary=$1 port=$2 pin=$3
    local cpu=()
    if [ "$pin" = 1 ]; then cpu=(taskset -c 0); fi
    WORK="$(mktemp -d)"
    "${cpu[@]}" "$binary" serve --listen "127.0.0.1:$port" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    trap bench_stop_server EXIT
}

bench_stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}

# Waits up to 10 s for `curl [extra options] URL` to succeed; exits with the server's log if it never does.
bench_wait_ready() {
    local url=$1
    shift
    for _ in $(seq 1 100); do
        if curl -fsS "$@" -o /dev/null --max-time 1 "$url" 2>/dev/null; then return; fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "server did not become ready at $url; its log:" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

# The server's peak RSS so far (VmHWM), e.g. "34.9 MiB".
bench_peak_rss() {
    awk '/^VmHWM:/ {printf "%.1f MiB", $2 / 1024}' "/proc/$SERVER_PID/status"
}

# Exits 69 unless every named tool is on PATH; $1 is the install hint.
bench_require() {
    local hint=$1
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$tool is required ($hint)" >&2; exit 69; }
    done
}
