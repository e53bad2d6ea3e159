import Foundation
import HTTPCore
import Logging
import Polling
import Providers
import ScanCore
import Webhooks

/// `POST /v1/webhooks/{source}`: where a scanner's delivery enters.
///
/// Checks in the contract's order (README, "Webhooks"; `openapi.yaml`) — unknown source 404, too large 413 (the server enforces `maxBodyBytes` while the
/// body streams in; checked again here for transports that hand over whole bodies), verification 401, not JSON 415,
/// not an event of this provider 400 or not actionable 422 — then claims the delivery key, applies the event and
/// answers. Re-fetches from the upstream run after the answer, never holding the sender.
struct WebhookIngest: Sendable {
    struct Source: Sendable {
        let name: String
        let provider: Provider
        let verifier: WebhookVerifier
        /// Whether the source has an upstream: hints need one, and any event then triggers a re-fetch.
        let hasUpstream: Bool
    }

    let sources: [String: Source]
    let maxBodyBytes: Int
    let ledger: DeliveryLedger
    let store: ScanStore
    let scheduler: WatchScheduler
    /// The `state.dir` journal: an accepted delivery is answered only once its effect and key are on disk.
    let durable: DurableState?
    let metrics: AppMetrics
    let logger: Logger
    let now: @Sendable () -> Date

    /// The `source` label for deliveries to names that are not configured: a fixed value, so senders cannot mint
    /// label values.
    static let unknownSourceLabel = "_unknown"

    func register(on router: inout Router) {
        // Each source verifies its own deliveries (signature, token); API tokens play no part.
        // An unknown source is `404` even when the body is over `maxBodyBytes`: the contract checks the source first.
        router.post(
            "/v1/webhooks/{source}", access: .verifiedByHandler,
            beforeBody: { head in answerIfUnknown(source: head.pathParameters["source"] ?? "") }
        ) { request in await receive(request) }
    }

    func receive(_ request: HTTPRequest) async -> HTTPResponse {
        let name = request.pathParameters["source"] ?? ""
        if let notFound = answerIfUnknown(source: name) { return notFound }
        guard let source = sources[name] else { preconditionFailure("answerIfUnknown answers every unknown name") }
        let (outcome, response) = await process(request, from: source)
        metrics.recordWebhook(source: source.name, outcome: outcome)
        return response
    }

    /// `404` for a name that is no configured source, nil for a known one. Also asked before the body of an
    /// oversized delivery is read (the route's `beforeBody`), so the unknown source comes first, as the contract orders.
    func answerIfUnknown(source name: String) -> HTTPResponse? {
        guard sources[name] == nil else { return nil }
        metrics.recordWebhook(source: Self.unknownSourceLabel, outcome: .unknownSource)
        return .problem(.notFound, "no webhook source named '\(name)' is configured")
    }

    private func process(_ request: HTTPRequest, from source: Source) async -> (WebhookOutcome, HTTPResponse) {
        guard request.body.count <= maxBodyBytes else {
            return (.tooLarge, .problem(.contentTooLarge, "the body exceeds \(maxBodyBytes) bytes"))
        }
        let verified: VerifiedDelivery
        do {
            verified = try source.verifier.verify(
                headers: WebhookHeaders(request.headers.map { ($0.name, $0.value) }), body: request.body, now: now())
        } catch {
            logger.info("webhook refused", metadata: ["source": "\(source.name)", "reason": "\(error)"])
            return (.unauthorized, .problem(.unauthorized, "verification failed: \(error)"))
        }
        guard WebhookContentType.isJSON(request.headers["Content-Type"]) else {
            return (.unsupportedMediaType,
                    .problem(.unsupportedMediaType, "Content-Type must be application/json or application/*+json"))
        }
        let decoded: DecodedWebhook
        do {
            decoded = try WebhookDecoding.decode(provider: source.provider, body: request.body, source: source.name)
        } catch {
            return (.invalid, .problem(HTTPStatus(code: error.status), error.detail))
        }
        var actions: [WebhookAction] = []
        for event in decoded.events {
            do {
                if let action = try WebhookAction(event, source: source) { actions.append(action) }
            } catch {
                return (.invalid, error.response)
            }
        }
        guard !actions.isEmpty else {
            return (.ignored, WebhookAck(duplicate: false, scanId: nil).response)
        }
        let scanId = actions.lazy.compactMap(\.scanId).first
        let key = DeliveryKey.make(
            source: source.name, deliveryId: verified.deliveryId, payloadKey: decoded.deliveryKey, body: request.body)
        do {
            // While the journal cannot write, nothing is claimed or applied: the sender retries later.
            try durable?.ensureRecording("the delivery")
        } catch {
            return (.failed, error.response)
        }
        switch ledger.claim(key, now: now()) {
        case .duplicate:
            // Acknowledged again only once what was journaled for it so far is on disk.
            do {
                try await durable?.waitUntilDurable(or: "the delivery")
            } catch {
                return (.failed, error.response)
            }
            return (.duplicate, WebhookAck(duplicate: true, scanId: scanId).response)
        case .new:
            do throws(APIError) {
                for action in actions { try await apply(action, from: source) }
                if let durable {
                    guard let position = durable.deliveryAccepted(key: key, at: now()) else {
                        throw APIError.unavailable(
                            "the delivery could not be recorded in the state directory", retryAfterSeconds: 10)
                    }
                    try await durable.waitUntilDurable(position, or: "the delivery")
                }
            } catch {
                // Not recorded: the sender's retry must be processed, not acknowledged as a duplicate. Applying
                // again is harmless, as merging an update twice changes nothing.
                ledger.release(key)
                logger.warning("webhook not applied", metadata: ["source": "\(source.name)", "reason": "\(error.detail)"])
                return (.failed, error.response)
            }
            return (.accepted, WebhookAck(duplicate: false, scanId: scanId).response)
        }
    }

    /// Records the event's effect; what needs the upstream is started in the background.
    private func apply(_ action: WebhookAction, from source: Source) async throws(APIError) {
        switch action {
        case .update(let update, let refetch):
            _ = try await store.keepDurably(update, journal: durable, now: now())
            if scheduler.mayMatchWebhooks { await scheduler.matchWebhook(update) }
            // The poll itself runs after the answer; only its place in the queue is taken here.
            if let refetch { await scheduler.refetchNow(refetch, source: source.name) }
        case .refetch(let ref):
            guard await scheduler.refetchNow(ref, source: source.name) else {
                throw .unavailable("too many re-fetches are waiting for source '\(source.name)'", retryAfterSeconds: 10)
            }
        case .watch(let ref, let scanStartedAt):
            do {
                _ = try await scheduler.add(WatchRequest(source: source.name, ref: ref, scanStartedAt: scanStartedAt))
            } catch {
                throw .unavailable(error.description, retryAfterSeconds: 60)
            }
        }
    }
}
