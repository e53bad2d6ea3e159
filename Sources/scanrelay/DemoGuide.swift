/// The text `demo` prints: what runs, and full `curl` command lines to try against it.
struct DemoGuide {
    let base: String
    let upstreams: DemoUpstreams
    let secrets: DemoConfiguration.Secrets

    private var harborIndex: String { "\(DemoUpstreams.harborApp.repository)@\(DemoUpstreams.harborApp.index)" }

    var text: String {
        let small = "binarly:\(upstreams.smallScanId)"
        let large = "binarly:\(upstreams.largeScanId)"
        // One event, signed and printed: it carries the current time, so building it twice could print a body the
        // signature does not cover.
        let relayEvent = DemoTraffic.relayEvent
        let signedHeaders = (try? DemoTraffic.headers(for: relayEvent, signing: .standardWebhooks(secrets.standardWebhooks)))?
            .map { "-H '\($0.0): \($0.1)'" }.joined(separator: " ") ?? ""
        return """
            ScanRelay demo: the service on \(base), with simulated Binarly (\(upstreams.binarlyURL.absoluteString)), \
            Yandex (\(upstreams.yandexURL.absoluteString)), OpsMx (\(upstreams.opsmxURL.absoluteString)) and Harbor \
            (\(upstreams.harborURL.absoluteString)).
            Watching a small and a large Binarly image, an OpsMx scan and a multi-arch Harbor image; signed webhooks \
            were sent for Yandex, Harbor (a scheduled scan, read back from Harbor's API) and a relay. Polled scans \
            finish within about 20 seconds. Try:

            # every scan ScanRelay knows, newest first
            curl -s \(base)/v1/scans
            # the small image's scan; then wait (long-poll) until the large one changes or completes
            curl -s \(base)/v1/scans/\(small)
            curl -s '\(base)/v1/scans/\(large)?wait=30s'
            # all scans of one image, newest first
            curl -s \(base)/v1/images/\(DemoUpstreams.largeImage)/scans
            # a multi-arch Harbor image by its index digest: its children's scans (the attestation left out)
            curl -s \(base)/v1/images/\(harborIndex.replacingOccurrences(of: "/", with: "%2F"))/scans
            # the watches and their poll schedule
            curl -s \(base)/v1/watches
            # scans that arrived by webhook (Yandex, Harbor, a relay)
            curl -s '\(base)/v1/scans?source=yandex'
            curl -s '\(base)/v1/scans?source=harbor'
            # a signed Standard Webhooks delivery (signature valid 5 minutes; sent twice it is a duplicate)
            curl -s -X POST \(base)/v1/webhooks/relay -H 'Content-Type: application/json' \(signedHeaders) \
            --data '\(relayEvent)'
            # a delivery with a wrong signature is refused with 401
            curl -s -X POST \(base)/v1/webhooks/relay -H 'Content-Type: application/json' -H 'webhook-id: msg_x' \
            -H 'webhook-timestamp: 1' -H 'webhook-signature: v1,AAAA' --data '{}'
            # server-sent events as scans change (Ctrl-C to stop)
            curl -sN \(base)/v1/events
            # metrics, health
            curl -s \(base)/metrics
            curl -s \(base)/readyz
            # CI gates: the large image's newest scan (high findings, no critical) passes once polling sees it complete (exit 0) ...
            scanrelay wait --server \(base) --image \(DemoUpstreams.largeImage) --fail-on critical --timeout 2m
            # ... the Yandex scan has a critical finding (exit 1)
            scanrelay wait --server \(base) --scan yandex:\(DemoTraffic.yandexScanId) --fail-on critical
            # ... the Harbor index's verdict, once both platforms are scanned: amd64 has a high finding (exit 1)
            scanrelay wait --server \(base) --image \(harborIndex) --fail-on high --timeout 2m

            Ctrl-C stops the demo.
            """
    }
}
