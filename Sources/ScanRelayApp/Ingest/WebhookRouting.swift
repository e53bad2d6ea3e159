import HTTPCore

/// The router plus one answer it cannot give from a request's head: a delivery to a webhook source that is not
/// configured is `404` even when its body is over `maxBodyBytes`. The server asks before reading such a body and
/// would otherwise answer `413`; PRODUCT.md's check order puts the unknown source first.
struct WebhookRouting: HTTPResponder {
    let router: any HTTPResponder
    let ingest: WebhookIngest

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        await router.respond(to: request)
    }

    func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse? {
        guard head.method == .post, let name = Self.sourceName(in: head.path) else { return nil }
        return ingest.answerIfUnknown(source: name)
    }

    /// The `{source}` of `/v1/webhooks/{source}`, percent-decoded as the router decodes it; nil for any other path.
    static func sourceName(in path: Substring) -> String? {
        let prefix = "/v1/webhooks/"
        guard path.hasPrefix(prefix) else { return nil }
        let segment = path.dropFirst(prefix.count)
        guard !segment.isEmpty, !segment.contains("/") else { return nil }
        return PercentDecoding.decode(segment)
    }
}
