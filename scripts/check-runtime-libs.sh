#!/usr/bin/env bash
# Proves that the Dockerfile's runtime stage is complete: every shared library the release binary loads (ldd) is
# shipped by a package that stage has, i.e. one it installs, one those depend on, or one of debian:bookworm-slim's
# own. Checked against the packages' real file lists (apt-get download + dpkg-deb -c), not guessed.
#
#   scripts/check-runtime-libs.sh                   # builds release into .build-release, then checks
#   scripts/check-runtime-libs.sh path/to/scanrelay # checks an existing binary
#
# Needs: a Debian 12 (bookworm) host, like the runtime image, with apt sources reachable; swift for the build.
# Exits 1 naming every library no package provides.
set -euo pipefail
cd "$(dirname "$0")/.."

SCRATCH=.build-release
binary=${1:-}
if [[ -z "$binary" ]]; then
    swift build -c release --static-swift-stdlib --product scanrelay --scratch-path "$SCRATCH"
    binary="$(swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" --show-bin-path)/scanrelay"
fi
[[ -x "$binary" ]] || { echo "no executable at $binary" >&2; exit 1; }

# The packages the runtime stage installs, read from the Dockerfile so the two cannot drift apart.
runtime_packages=$(awk '
    /^FROM /            { runtime = ($2 ~ /^debian:bookworm-slim/) }
    runtime && /apt-get install/ { collecting = 1 }
    collecting {
        for (i = 1; i <= NF; i++) {
            if ($i == "\\" ) continue
            if ($i == "&&" && seen) { collecting = 0; break }
            if (seen) print $i
            if ($i == "--no-install-recommends") seen = 1
        }
        if ($NF != "\\") collecting = 0
    }' Dockerfile | sort -u | tr '\n' ' ')
[[ -n "$runtime_packages" ]] || { echo "no apt-get install found in the Dockerfile's debian:bookworm-slim stage" >&2; exit 1; }

# What debian:bookworm-slim already contains (`dpkg-query -W -f '${Package}\n'` in the image). Only packages that
# ship shared libraries matter here; the rest are listed for completeness so this is the image's whole list.
base_packages="adduser apt base-files base-passwd bash bsdutils coreutils dash debconf debian-archive-keyring
debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip hostname init-system-helpers libacl1
libapt-pkg6.0 libattr1 libaudit-common libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcom-err2
libcrypt1 libdb5.3 libdebconfclient0 libext2fs2 libffi8 libgcc-s1 libgcrypt20 libgmp10 libgnutls30 libgpg-error0
libhogweed6 libidn2-0 liblz4-1 liblzma5 libmd0 libmount1 libnettle8 libp11-kit0 libpam-modules libpam-modules-bin
libpam-runtime libpam0g libpcre2-8-0 libseccomp2 libselinux1 libsemanage-common libsemanage2 libsepol2 libsmartcols1
libss2 libstdc++6 libsystemd0 libtasn1-6 libtinfo6 libudev1 libunistring2 libuuid1 libxxhash0 libzstd1 login logsave
mawk mount ncurses-base ncurses-bin passwd perl-base sed sysvinit-utils tar tzdata usr-is-merged util-linux
util-linux-extra zlib1g"

# The runtime packages and everything they pull in (hard dependencies only: the stage uses --no-install-recommends).
# shellcheck disable=SC2086
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances $runtime_packages | grep -v '^ ' | grep -v '^<' | sort -u)
available=$(printf '%s\n' $closure $base_packages | sort -u)

# Libraries the binary needs: the left side of each ldd line ("libcurl.so.4 => /lib/..."), the loader included.
ldd_output=$(ldd "$binary")
if grep -q 'not found' <<<"$ldd_output"; then
    echo "ldd cannot resolve some libraries on this host:" >&2
    grep 'not found' <<<"$ldd_output" >&2
    exit 1
fi
needed=$(awk '$1 !~ /^linux-vdso/ { n = split($1, parts, "/"); print parts[n] }' <<<"$ldd_output" | sort -u)

# Upstream calls use libcurl directly (issue 16): it stays a runtime library, and FoundationNetworking (linked
# statically with the Swift runtime until then, and leaking per request) must not come back.
grep -qx 'libcurl.so.4' <<<"$needed" || { echo "$binary does not load libcurl.so.4" >&2; exit 1; }
if nm "$binary" 2>/dev/null | grep -q 'FoundationNetworking'; then
    echo "$binary links FoundationNetworking; upstream calls must go through CurlClient" >&2
    exit 1
fi

# File lists of every available package that could hold a library, from the .deb files themselves.
debs="$SCRATCH/runtime-debs"
mkdir -p "$debs"
library_packages=$(grep -E '^(lib|zlib1g$)' <<<"$available")
missing_debs=()
for package in $library_packages; do
    compgen -G "$debs/${package}_*.deb" >/dev/null || missing_debs+=("$package")
done
if ((${#missing_debs[@]})); then
    (cd "$debs" && apt-get download -qq "${missing_debs[@]}" 2>/dev/null) \
        || { echo "apt-get download failed for: ${missing_debs[*]}" >&2; exit 1; }
fi
provided="$debs/provided.txt"
: >"$provided"
for deb in "$debs"/*.deb; do
    package=$(dpkg-deb -f "$deb" Package)
    grep -qx "$package" <<<"$library_packages" || continue
    # "./usr/lib/x86_64-linux-gnu/libcurl.so.4 -> libcurl.so.4.8.0": keep the basename of library paths.
    dpkg-deb -c "$deb" | awk -v pkg="$package" '{
        path = $6; if (path !~ /\/lib(64|x32|32)?\//) next
        n = split(path, parts, "/"); print parts[n], pkg }' >>"$provided"
done

echo "runtime stage installs: $runtime_packages"
echo "binary: $binary"
status=0
for library in $needed; do
    package=$(awk -v lib="$library" '$1 == lib { print $2; exit }' "$provided")
    if [[ -z "$package" ]]; then
        echo "MISSING  $library  (no package of the runtime stage provides it)"
        status=1
    elif grep -qw -- "$package" <<<"$base_packages"; then
        echo "ok       $library  <- $package (in debian:bookworm-slim)"
    else
        echo "ok       $library  <- $package"
    fi
done
if ((status)); then
    echo "runtime stage is incomplete: add the packages providing the MISSING libraries to the Dockerfile" >&2
else
    echo "runtime stage provides all $(wc -w <<<"$needed") libraries"
fi
exit $status
