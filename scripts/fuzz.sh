#!/usr/bin/env bash
# Runs a libFuzzer target for a number of seconds: scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
#
# A target is Fuzz/TARGET/*.swift (defining LLVMFuzzerTestOneInput) compiled into ONE module together with the
# source directories listed below, with swiftc directly (not SwiftPM, so the package stays free of sanitizer flags
# and fuzz-only products). Seeds come from the committed Fuzz/TARGET/corpus; inputs the fuzzer finds go to
# Fuzz/.corpus-TARGET (not committed), crashes to Fuzz/artifacts/TARGET/ — turn each into a regression test.
#
# To add a target: create Fuzz/NAME/ with a fuzz file, a corpus/ of seeds and optionally NAME.dict, and add NAME
# to SOURCES. A target whose sources import other package modules lists them in MODULES (each built first from
# Sources/MODULE into its own instrumented module) and any C module flags in CFLAGS. Modules this script cannot build
# from source (Yams, swift-crypto: SwiftPM packages with C parts, and our modules that import them) are listed in
# PACKAGES: SwiftPM builds them, uninstrumented, at the versions Package.resolved pins, into a scratch path of their
# own, and their objects are linked in; the target's own sources are what must be covered.
set -euo pipefail

declare -A SOURCES=(
    [HTTP1Parser]="Sources/HTTPCore"
    [ChunkedBodyDecoder]="Sources/HTTPCore"
    [HTTP2Connection]="Sources/HTTP2"
    [WebhookDecoding]="Sources/Providers/ScanRef.swift Sources/Providers/Decoding"
    # Only the Crypto-free parsing files: swift-crypto is a SwiftPM package this script does not build.
    [SignatureHeader]="Sources/Webhooks/SignatureHeader.swift Sources/Webhooks/WebhookTimestamp.swift Sources/Webhooks/WebhookHeaders.swift Sources/Webhooks/VerificationFailure.swift"
    [ConfigurationLoader]="Sources/ScanRelayApp/Configuration"
)
declare -A MODULES=(
    [HTTP1Parser]="JSONEscaping"
    [ChunkedBodyDecoder]="JSONEscaping"
    [HTTP2Connection]="JSONEscaping HTTPCore"
    [WebhookDecoding]="Locking ShardedTables JSONEscaping ScanCore"
    [ConfigurationLoader]="JSONEscaping ScanCore"
)
# SwiftPM targets, in dependency order, with every target of their closure: each one's objects are linked (C
# targets such as CYaml included). DequeModule (swift-collections) is the queue ScanCore, Webhooks and Postgres
# keep. Webhooks and Postgres are here because AppConfiguration takes the defaults of DeliveryLedger and of
# PostgresPool (the size of `state.postgresConnections`).
deque="InternalCollectionsUtilities ContainersPreview DequeModule"
declare -A PACKAGES=(
    [WebhookDecoding]="$deque"
    [ConfigurationLoader]="Logging CYaml Yams CCryptoBoringSSL CCryptoBoringSSLShims CryptoBoringWrapper Crypto $deque Locking ShardedTables Webhooks Postgres"
)
# System modules' maps ([system] modules that autolink their library) and their headers' directories: CNGHTTP2 for
# the HTTP/2 target; CLibPQ, which the Postgres module imports, for the configuration's.
declare -A CFLAGS=(
    [HTTP2Connection]="-I Sources/CNGHTTP2"
    [ConfigurationLoader]="-I Sources/CLibPQ -Xcc -I$(pkg-config --variable=includedir libpq 2>/dev/null || echo /usr/include/postgresql)"
)

usage() { echo "usage: $0 TARGET SECONDS [libFuzzer flags]; targets: ${!SOURCES[*]}" >&2; exit 64; }
[[ $# -ge 2 ]] || usage
target=$1 seconds=$2
shift 2
[[ -n ${SOURCES[$target]:-} ]] || usage
[[ $seconds =~ ^[0-9]+$ ]] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${FUZZ_BUILD_DIR:-.build-fuzz}/$target
corpus=Fuzz/.corpus-$target
artifacts=Fuzz/artifacts/$target
mkdir -p "$build" "$corpus" "$artifacts"

files=()
for dir in ${SOURCES[$target]}; do
    while IFS= read -r -d '' file; do files+=("$file"); done < <(find "$dir" -name '*.swift' -print0 | sort -z)
done
files+=(Fuzz/"$target"/*.swift)

common=(-sanitize=fuzzer,address -parse-as-library -swift-version 6 -O -g -package-name ScanRelay
    -module-cache-path "$build/module-cache" -I "$build/modules")
read -r -a cflags <<< "${CFLAGS[$target]:-}"
mkdir -p "$build/modules"
objects=()
if [[ -n ${PACKAGES[$target]:-} ]]; then
    spm=(--scratch-path "${FUZZ_BUILD_DIR:-.build-fuzz}/spm" -c release)
    for package_target in ${PACKAGES[$target]}; do
        echo "building package target $package_target with SwiftPM" >&2
        swift build "${spm[@]}" --target "$package_target" >&2
    done
    bin=$(swift build "${spm[@]}" --show-bin-path)
    common+=(-I "$bin/Modules")
    for package_target in ${PACKAGES[$target]}; do
        while IFS= read -r -d '' object; do objects+=("$object"); done \
            < <(find "$bin/$package_target.build" -name '*.o' -print0 | sort -z)
        # A C target's module map (its own in include/, or the one SwiftPM generates): importers of its Swift
        # wrapper need it even when the wrapper imports it internally.
        for map in "$bin/$package_target.build/module.modulemap" \
            "${FUZZ_BUILD_DIR:-.build-fuzz}"/spm/checkouts/*/Sources/"$package_target"/include/module.modulemap; do
            if [[ -f $map ]]; then common+=(-Xcc -fmodule-map-file="$map"); fi
        done
    done
fi
for module in ${MODULES[$target]:-}; do
    sources=()
    while IFS= read -r -d '' file; do sources+=("$file"); done < <(find "Sources/$module" -name '*.swift' -print0 | sort -z)
    echo "building module $module from ${#sources[@]} files" >&2
    swiftc "${common[@]}" "${cflags[@]}" -wmo -module-name "$module" -emit-module \
        -emit-module-path "$build/modules/$module.swiftmodule" -c -o "$build/modules/$module.o" "${sources[@]}"
    objects+=("$build/modules/$module.o")
done

echo "building $target from ${#files[@]} files" >&2
# lld: gold warns about every ASan report symbol it cannot export.
swiftc "${common[@]}" "${cflags[@]}" -use-ld=lld -module-name "${target}Fuzz" \
    -o "$build/$target" "${files[@]}" "${objects[@]}"

flags=(-max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/")
# An optional dictionary of the format's tokens steers mutations into the interesting branches.
[[ -f Fuzz/$target/$target.dict ]] && flags+=(-dict="Fuzz/$target/$target.dict")
# A trap must reach libFuzzer as it is: the Swift runtime's own backtracer would catch it first, and its memory
# reader trips ASan, which then reports the backtracer instead of the input's failure (seen in CI).
export SWIFT_BACKTRACE=enable=no
before=$(find "$artifacts" -type f | sort)
# The first directory receives new inputs; the committed seeds are only read.
status=0
"$build/$target" "$corpus" "Fuzz/$target/corpus" "${flags[@]}" "$@" || status=$?
if [[ $status -ne 0 ]]; then
    # A CI log is all there is of a clean clone: print each new input so it can be replayed, and say how.
    while IFS= read -r artifact; do
        [[ -n $artifact ]] || continue
        echo "input $artifact (base64; replay: base64 -d > crash && $build/$target crash):" >&2
        base64 -w 0 "$artifact" >&2
        echo >&2
    done < <(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort))
fi
exit $status
