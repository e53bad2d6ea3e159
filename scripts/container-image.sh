#!/usr/bin/env bash
# Builds the container image from ./Dockerfile as a user would (the same file, both stages) and runs it:
# `scanrelay --version`, `serve` answering /readyz 200, `scanrelay healthcheck` (the image's HEALTHCHECK) exit 0,
# as uid 10001, with a read-only root filesystem, and a clean exit on SIGTERM. Then the same image serves with the
# single-replica Kubernetes configuration (deploy/kubernetes: its ConfigMap, secrets as files, a state volume).
#
#   scripts/container-image.sh
#
# Without a Docker engine or a registry: buildah builds (`--isolation chroot`), podman runs, and the two base
# images the Dockerfile names are made here and tagged with those names:
#   - debian:bookworm-slim: `debootstrap --variant=minbase` from the Debian mirror apt uses, with the slim image's
#     dpkg excludes;
#   - swift:<version>-bookworm: that Debian root with the packages the official swift image installs, plus this
#     machine's Swift toolchain (its version must be the tag's) and git's URL rewrites, so that the build stage's
#     `swift package resolve` reaches a local package mirror (bound read-only into the build with --volume).
# They, and the image store, are kept in $SCANRELAY_IMAGE_CACHE (default /var/tmp/scanrelay-image), each base image
# labelled with a hash of its inputs and made again only when they change. Runs hold a lock there, one at a time.
# Needs root, buildah, podman, runc, debootstrap, curl, git (.ci/run installs them). SCANRELAY_IMAGE_STORAGE_DRIVER:
# overlay (default) or vfs (slower: each layer a full copy).
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${SCANRELAY_IMAGE_CACHE:-/var/tmp/scanrelay-image}
image=localhost/scanrelay:ci
mkdir -p "$cache"
exec {lock}>"$cache/lock"
flock --timeout 3600 "$lock"

# A store of our own, so that the cached base images and this run's image never mix with the machine's.
cat >"$cache/storage.conf" <<EOF
[storage]
driver = "${SCANRELAY_IMAGE_STORAGE_DRIVER:-overlay}"
graphroot = "$cache/storage"
runroot = "$cache/run"
EOF
export CONTAINERS_STORAGE_CONF="$cache/storage.conf"
# podman's defaults fail here: crun 1.8 refuses a hybrid cgroup v1/v2 host (runc does not), and podman asks for
# more open files and processes than a process without CAP_SYS_RESOURCE may set; keep the limits it has.
cat >"$cache/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$cache/containers.conf"
export BUILDAH_ISOLATION=chroot

log() { printf '=== %s\n' "$*"; }
fail() {
    printf 'container-image: %s\n' "$*" >&2
    exit 1
}

# The names the Dockerfile uses, as docker.io would spell them (`FROM name[:tag] [AS stage]`).
from_images=$(awk 'toupper($1) == "FROM" { print $2 }' Dockerfile)
builder_name=$(grep -m1 '^swift:' <<<"$from_images") || fail "no swift:* stage in the Dockerfile"
runtime_name=$(grep -m1 '^debian:' <<<"$from_images") || fail "no debian:* stage in the Dockerfile"
qualified() { case $1 in */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac }

swift_bin=$(readlink -f "$(command -v swift)")
toolchain_usr=$(dirname "$(dirname "$swift_bin")")
swift_version=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
builder_version=${builder_name#swift:}
builder_version=${builder_version%%-*}
[[ "$builder_version" == "$swift_version" ]] \
    || fail "the Dockerfile builds with $builder_name, this machine's toolchain is Swift $swift_version"
suite=${runtime_name#debian:}
suite=${suite%%-*}
[[ "$builder_name" == *"-$suite" ]] || fail "$builder_name and $runtime_name are not the same Debian release"

# The Debian mirror apt is configured with (deb822 or one-line sources), for debootstrap and the images' sources.
mirror=$(grep -hoE '^(URIs:[[:space:]]*|deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -oE 'https?://[^[:space:]]+' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}
security_mirror=${mirror%/debian}/debian-security

image_label() { podman image inspect --format "{{ index .Labels \"$2\" }}" "$1" 2>/dev/null || true; }

# --- debian:<suite>-slim ---------------------------------------------------------------------------------------
# What the slim image leaves out (its /etc/dpkg/dpkg.cfg.d/docker), and its sources: the release, its updates and
# its security updates.
slim_excludes='path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*'
sources="Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
runtime_ref=$(qualified "$runtime_name")
runtime_key=$(printf '%s\n' v1 "$suite" "$mirror" "$slim_excludes" "$sources" | sha256sum | cut -c1-16)
if [[ "$(image_label "$runtime_ref" org.scanrelay.base-key)" != "$runtime_key" ]]; then
    log "making $runtime_ref (debootstrap $suite from $mirror)"
    started=$SECONDS
    root="$cache/rootfs"
    rm -rf "$root"
    mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
    printf '%s\n' "$slim_excludes" >"$root/etc/dpkg/dpkg.cfg.d/docker"
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
        || { tail -20 "$cache/debootstrap.log" >&2; fail "debootstrap failed (log: $cache/debootstrap.log)"; }
    rm -f "$root/etc/apt/sources.list"
    printf '%s\n' "$sources" >"$root/etc/apt/sources.list.d/debian.sources"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/log/* "$root"/tmp/* "$root"/usr/share/doc/*/changelog* "$root"/usr/share/man/* \
        "$root"/usr/share/locale/*/
    : >"$root/etc/resolv.conf"
    tar --numeric-owner --xattrs -C "$root" -c . \
        | podman import --quiet --change 'CMD ["bash"]' --change "LABEL org.scanrelay.base-key=$runtime_key" \
            - "$runtime_ref" >/dev/null
    rm -rf "$root"
    log "$runtime_ref made ($((SECONDS - started)) s)"
fi

# --- swift:<version>-<suite> -----------------------------------------------------------------------------------
# The packages the official swift:*-bookworm image installs, and the toolchain laid out as it lays it (under /usr).
swift_packages="binutils-gold curl gpg libicu-dev libcurl4-openssl-dev libedit-dev libsqlite3-dev libncurses-dev
libpython3-dev libxml2-dev pkg-config uuid-dev tzdata git gcc libstdc++-12-dev"
# git's URL rewrites (url.<base>.insteadOf), e.g. to a local mirror of the Swift packages: carried into the builder
# so that Package.swift's GitHub URLs resolve in the build as they do here; each local base is bound read-only.
rewrites=$(git config --get-regexp '^url\..*\.insteadof$' || true)
mirror_volumes=()
while read -r key _; do
    [[ -n "$key" ]] || continue
    base=${key#url.}
    base=${base%.insteadof}
    if [[ "$base" == /* && -d "$base" && " ${mirror_volumes[*]} " != *" $base:$base:ro "* ]]; then
        mirror_volumes+=(--volume "$base:$base:ro")
    fi
done <<<"$rewrites"
builder_ref=$(qualified "$builder_name")
builder_key=$(printf '%s\n' v1 "$runtime_key" "$swift_packages" "$toolchain_usr" "$(swift --version 2>&1)" \
    "$rewrites" | sha256sum | cut -c1-16)
if [[ "$(image_label "$builder_ref" org.scanrelay.base-key)" != "$builder_key" ]]; then
    log "making $builder_ref ($runtime_ref + the swift image's packages + $toolchain_usr)"
    started=$SECONDS
    ctr=$(buildah from --pull=never "$runtime_ref")
    # shellcheck disable=SC2086 # the package list is split on purpose
    buildah run "$ctr" -- sh -c "export DEBIAN_FRONTEND=noninteractive && apt-get -q update \
        && apt-get -q install -y $(tr '\n' ' ' <<<"$swift_packages") && rm -rf /var/lib/apt/lists/*" \
        >"$cache/builder-apt.log" 2>&1 \
        || { tail -20 "$cache/builder-apt.log" >&2; fail "installing the swift image's packages failed"; }
    mnt=$(buildah mount "$ctr")
    cp -a "$toolchain_usr/." "$mnt/usr/"
    while read -r key value; do
        [[ -n "$key" ]] && git config --file "$mnt/etc/gitconfig" --add "$key" "$value"
    done <<<"$rewrites"
    buildah umount "$ctr" >/dev/null
    buildah config --label "org.scanrelay.base-key=$builder_key" --cmd '["bash"]' "$ctr"
    buildah commit --rm --quiet "$ctr" "$builder_ref" >/dev/null
    log "$builder_ref made ($((SECONDS - started)) s)"
fi

# --- the image, from the Dockerfile as it is -----------------------------------------------------------------------
# Any container a killed run left behind goes; so does the image of the run before, once this one takes its tag.
podman ps -aq --filter label=org.scanrelay.check | xargs -r podman rm -f >/dev/null
log "buildah build (Dockerfile, both stages) -> $image"
started=$SECONDS
# --format docker keeps HEALTHCHECK (the OCI image format has no such field). No --layers: the sources change
# with every run, and the layers it would keep (the build stage's .build among them) cost more than they save.
buildah build --format docker --pull=never "${mirror_volumes[@]}" --tag "$image" . \
    >"$cache/build.log" 2>&1 || { tail -40 "$cache/build.log" >&2; fail "the image did not build (log: $cache/build.log)"; }
podman image prune -f >/dev/null
log "built in $((SECONDS - started)) s: $(podman image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) bytes"

# --- the image runs -------------------------------------------------------------------------------------------
checks=0
ok() {
    checks=$((checks + 1))
    printf 'ok: %s\n' "$*"
}
expect_eq() { [[ "$2" == "$3" ]] && ok "$1" || fail "$1: expected '$3', got '$2'"; }

expect_eq "image USER" "$(podman image inspect --format '{{.Config.User}}' "$image")" "10001:10001"
expect_eq "image HEALTHCHECK" "$(podman image inspect --format '{{.Config.Healthcheck.Test}}' "$image")" \
    "[CMD scanrelay healthcheck]"
# The HEALTHCHECK's command, as Docker would run it in the container.
mapfile -t healthcheck < <(podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$image" \
    | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)[1:]))')
version=$(podman run --rm --read-only --network none --no-healthcheck "$image" --version)
[[ "$version" =~ [0-9]+\.[0-9]+ ]] && ok "scanrelay --version: $version" || fail "--version printed '$version'"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
containers=()
cleanup() { ((${#containers[@]} == 0)) || podman rm -f "${containers[@]}" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# Waits (bounded) for /readyz on 127.0.0.1:$1 to answer 200.
wait_ready() {
    local deadline=$((SECONDS + 30)) status=000
    while ((SECONDS < deadline)); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/readyz" || true)
        [[ "$status" == 200 ]] && return 0
        sleep 0.2
    done
    echo "last /readyz status: $status" >&2
    return 1
}

# Checks a running container $1 serving on 127.0.0.1:$2; then stops it with SIGTERM and expects exit 0.
check_serving() {
    local name=$1 port=$2 pid uid
    wait_ready "$port" || { podman logs "$name" >&2; fail "$name: /readyz never answered 200"; }
    ok "$name: GET /readyz 200"
    expect_eq "$name: GET /healthz" "$(curl -s --max-time 5 "http://127.0.0.1:$port/healthz")" '{"status":"ok"}'
    pid=$(podman inspect --format '{{.State.Pid}}' "$name")
    uid=$(awk '/^Uid:/ { print $2 "/" $3 }' "/proc/$pid/status")
    expect_eq "$name: serve runs as (real/effective uid)" "$uid" "10001/10001"
    expect_eq "$name: id -u in the container" "$(podman exec "$name" id -u)" 10001
    # podman would run the HEALTHCHECK from systemd timers, which this machine has not: run its command.
    podman exec "$name" "${healthcheck[@]}" >/dev/null && ok "$name: ${healthcheck[*]} (the HEALTHCHECK) exit 0" \
        || fail "$name: ${healthcheck[*]} (the HEALTHCHECK) failed"
    # Even root in the container cannot write there.
    written=$(podman exec --user 0 "$name" sh -c ': >/probe' 2>&1 || true)
    [[ "$written" == *"Read-only file system"* ]] && ok "$name: the root filesystem is read-only" \
        || fail "$name: writing to / gave '$written'"
    podman stop --time 30 "$name" >/dev/null
    expect_eq "$name: exit status after SIGTERM" "$(podman inspect --format '{{.State.ExitCode}}' "$name")" 0
}

# 1. As the README runs it: the image's own listen address (0.0.0.0:8080 in the container's network namespace),
# which needs an API token, published on a free port of the host's loopback only.
port=$(free_port)
name=scanrelay-check-$$-plain
containers+=("$name")
podman run -d --name "$name" --label org.scanrelay.check=1 --read-only --no-healthcheck \
    --publish "127.0.0.1:$port:8080" --env SCANRELAY_API_TOKENS=check-token:read+write "$image" >/dev/null
check_serving "$name" "$port"

# 2. As deploy/kubernetes/overlays/single runs it: its scanrelay.yaml where the Deployment mounts the ConfigMap and
# as `serve --config` reads it, a file for each secret it names under /run/secrets/scanrelay (mode 0440, group 10001,
# as fsGroup leaves them), state.dir on a volume of its own standing in for the claim. A Harbor delivery accepted
# by one container is still served, and a duplicate, in the next one on the same volume.
overlay=deploy/kubernetes/overlays/single
work=$(mktemp -d -t scanrelay-image-check.XXXXXX)
trap 'cleanup; rm -rf "$work"' EXIT
mkdir -p "$work/config" "$work/secrets" "$work/state"
cp "$overlay/scanrelay.yaml" "$work/config/scanrelay.yaml"
for secret in $(grep -oE '/run/secrets/scanrelay/[A-Za-z0-9._-]+' "$overlay/scanrelay.yaml" | sort -u); do
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/secrets/${secret##*/}"
done
chown 0:10001 "$work"/secrets/*
chmod 0440 "$work"/secrets/*
chown 10001:10001 "$work/state"
read_token=$(cat "$work/secrets/read-token")
harbor_auth=$(cat "$work/secrets/harbor-auth-header")
# A real Harbor delivery, byte for byte as Harbor sends it (../shared/fixtures/harbor-real, copied unchanged).
fixture=Tests/Support/ProviderFixtures/Fixtures/harbor-default-scanning-completed.json
[ -f "$fixture" ] || fail "the Harbor fixture $fixture is missing"

serve_single() {
    podman run -d --name "$1" --label org.scanrelay.check=1 --read-only --no-healthcheck --publish "127.0.0.1:$2:8080" \
        --volume "$work/config:/etc/scanrelay:ro" --volume "$work/secrets:/run/secrets/scanrelay:ro" \
        --volume "$work/state:/var/lib/scanrelay" \
        "$image" serve --config /etc/scanrelay/scanrelay.yaml >/dev/null
    wait_ready "$2" || { podman logs "$1" >&2; fail "$1: /readyz never answered 200"; }
}
deliver() {
    curl -s --max-time 5 -o "$work/delivery.json" -w '%{http_code}' -X POST "http://127.0.0.1:$1/v1/webhooks/harbor" \
        -H "Authorization: $harbor_auth" -H 'Content-Type: application/json' --data-binary "@$fixture"
}
scan_status() {
    curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $read_token" \
        "http://127.0.0.1:$1/v1/scans/$scan_id"
}

podman run --rm --read-only --network none --no-healthcheck --volume "$work/config:/etc/scanrelay:ro" \
    --volume "$work/secrets:/run/secrets/scanrelay:ro" "$image" check-config /etc/scanrelay/scanrelay.yaml >/dev/null \
    && ok "check-config accepts $overlay/scanrelay.yaml with its secret files" \
    || fail "check-config rejects $overlay/scanrelay.yaml"

port=$(free_port)
name=scanrelay-check-$$-single
containers+=("$name")
serve_single "$name" "$port"
expect_eq "$name: a Harbor delivery with the Auth Header from the secret file" "$(deliver "$port")" 202
scan_id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["scanId"])' "$work/delivery.json")
expect_eq "$name: GET /v1/scans/$scan_id with the read token from the secret file" "$(scan_status "$port")" 200
check_serving "$name" "$port"

port=$(free_port)
name=scanrelay-check-$$-single-restarted
containers+=("$name")
serve_single "$name" "$port"
ok "$name: serves again on the same state volume"
expect_eq "$name: the scan accepted before the restart" "$(scan_status "$port")" 200
expect_eq "$name: the same delivery again (a duplicate)" "$(deliver "$port")" 200
podman stop --time 30 "$name" >/dev/null

echo "container-image: $checks checks passed"
