#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and local use: a fresh cluster in a temporary directory, reachable only through a
# Unix socket in that directory (no TCP port, nothing shared with another run), fsync off. Nothing here is durable.
#
#   scripts/postgres/throwaway.sh start [DIR]   initdb + start; prints the libpq connection string on stdout
#                                               (DIR: an empty or missing directory; default: a new mktemp -d)
#   scripts/postgres/throwaway.sh restart DIR   stops that server (fast shutdown: connections cut) and starts it again
#   scripts/postgres/throwaway.sh stop DIR      stops that server (fast shutdown) and removes DIR
#   scripts/postgres/throwaway.sh down DIR      stops that server, keeping its data (for tests of a database outage)
#   scripts/postgres/throwaway.sh up DIR        starts it again after `down`
#
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user (DIR is handed to it with chown)
# and the server runs through `runuser`; as a normal user, it runs as that user. PG_BIN overrides where the server
# binaries are (default: pg_config --bindir, else /usr/lib/postgresql/15/bin). PG_OPTIONS adds server options (for a
# profile: "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on").
set -euo pipefail

bin=${PG_BIN:-}
if [[ -z "$bin" ]]; then
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        bin=/usr/lib/postgresql/15/bin
    else
        bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    fi
fi
[[ -x "$bin/initdb" ]] || { echo "throwaway.sh: no PostgreSQL server binaries (install the postgresql package)" >&2; exit 1; }

# The server listens on a Unix socket in DIR only; durability is off, since nothing here is kept.
server_options() {
    echo "-k $1 -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_OPTIONS:-}"
}

as_owner() {
    if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
    as_owner "$bin/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 -o "$(server_options "$1")" start >/dev/null \
        || { cat "$1/server.log" >&2; exit 1; }
}

case "${1:-}" in
start)
    dir=${2:-$(mktemp -d -t scanrelay-pg.XXXXXX)}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [[ "$(id -u)" == 0 ]]; then
        chown postgres: "$dir"
        # The server's user must reach the socket directory through every parent (mktemp's 0700 parents do not
        # allow it; /tmp does).
        chmod 0755 "$dir"
        runuser -u postgres -- test -w "$dir" \
            || { echo "throwaway.sh: the postgres user cannot reach $dir (a parent directory is closed to it; set TMPDIR)" >&2; exit 1; }
    fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    start_server "$dir"
    echo "host=$dir port=5432 user=postgres dbname=postgres"
    ;;
restart)
    dir=${2:?usage: $0 restart DIR}
    [[ -d "$dir/data" ]] || { echo "throwaway.sh: $dir holds no cluster" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 30 -o "$(server_options "$dir")" restart >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    ;;
down)
    dir=${2:?usage: $0 down DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
    ;;
up)
    dir=${2:?usage: $0 up DIR}
    start_server "$dir"
    ;;
stop)
    dir=${2:?usage: $0 stop DIR}
    [[ -d "$dir/data" ]] || { echo "throwaway.sh: $dir holds no cluster" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start [DIR] | restart DIR | stop DIR | down DIR | up DIR" >&2
    exit 2
    ;;
esac
