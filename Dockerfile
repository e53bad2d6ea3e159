# ScanRelay container image.
#
#   docker build -t scanrelay .
#   docker run --rm -p 8080:8080 -e SCANRELAY_API_TOKENS=change-me:read+write scanrelay
#   docker run --rm -v "$PWD/scanrelay.yaml:/etc/scanrelay/scanrelay.yaml:ro" \
#       -e SCANRELAY_CONFIG=/etc/scanrelay/scanrelay.yaml scanrelay
#
# Shutdown: SIGTERM starts a graceful shutdown (readyz turns 503, no new connections, requests in flight finish
# within limits.shutdownGrace, default 10s). Give the orchestrator a longer grace period than that, e.g. Kubernetes
# terminationGracePeriodSeconds: 30 or `docker stop -t 30`, or in-flight requests are cut off by SIGKILL.
#
# scripts/check-runtime-libs.sh proves that the runtime stage's packages provide every library the binary loads.

# --- build: the Swift toolchain, libnghttp2, libcurl and libpq headers; the Swift runtime and Foundation are linked statically ---
FROM swift:6.3.1-bookworm AS build

# Unpinned on purpose: Debian security updates replace these versions in the archive, so a pin would break builds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libnghttp2-dev libcurl4-openssl-dev libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Dependencies before sources, so a source change does not fetch them again. `Package.*` also takes
# Package.resolved when the checkout has one (pinned versions), and does not fail when it has not.
COPY Package.* ./
RUN swift package resolve
# Tests/ is copied because Package.swift declares the test targets; they are not built.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product scanrelay \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && mkdir -p /out \
    && cp "$bin/scanrelay" /out/ \
    && cp -R "$bin/ScanRelay_ScanRelayApp.resources" /out/

# --- runtime: only what `ldd scanrelay` needs (libcurl for upstream calls, libnghttp2 for HTTP/2, libpq for
#     state.postgres) plus CA roots ---
FROM debian:bookworm-slim

# Unpinned on purpose, as above.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libnghttp2-14 libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 scanrelay \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/scanrelay --create-home scanrelay

# The resource bundle (the served openapi.yaml) must sit beside the executable.
COPY --from=build /out/scanrelay /usr/local/bin/scanrelay
COPY --from=build /out/ScanRelay_ScanRelayApp.resources /usr/local/bin/ScanRelay_ScanRelayApp.resources

# Numeric, so Kubernetes runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/scanrelay
ENV SCANRELAY_LISTEN=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
# `scanrelay healthcheck` probes /readyz on SCANRELAY_LISTEN; no curl needed in the image.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["scanrelay", "healthcheck"]
ENTRYPOINT ["scanrelay"]
CMD ["serve"]
