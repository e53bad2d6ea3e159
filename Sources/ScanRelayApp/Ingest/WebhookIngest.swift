import AppState
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
/// not an event of this provider 400 or not actionable 422 — then hands the delivery to the state store, which claims
/// its key and merges its scans as one unit, and answers. Re-fetches from the upstream run after the answer, never holding the sender.
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
    /// Where the delivery's claim and scans go, as one unit.
    let state: any StateStore
    let watches: any WatchDirectory
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
        var decodedActions: [WebhookAction] = []
        for event in decoded.events {
            do {
                if let action = try WebhookAction(event, source: source) { decodedActions.append(action) }
            } catch {
                return (.invalid, error.response)
            }
        }
        let actions = decodedActions
        guard !actions.isEmpty else {
            return (.ignored, WebhookAck(duplicate: false, scanId: nil).response)
        }
        let scanId = actions.lazy.compactMap(\.scanId).first
        let key = DeliveryKey.make(
            source: source.name, deliveryId: verified.deliveryId, payloadKey: decoded.deliveryKey, body: request.body)
        let updates = actions.compactMap(\.update)
        do {
            let outcome = try await state.acceptDelivery(key: key, updates: updates, now: now()) { delivery throws(StateError) in
                for action in actions { try await followUp(action, from: source, delivery: delivery) }
            }
            guard case .accepted = outcome else {
                return (.duplicate, WebhookAck(duplicate: true, scanId: scanId).response)
            }
            return (.accepted, WebhookAck(duplicate: false, scanId: scanId).response)
        } catch {
            logger.warning("webhook not applied", metadata: ["source": "\(source.name)", "reason": "\(error)"])
            return (.failed, ErrorAnswers.response(for: error))
        }
    }

    /// What an accepted delivery asks of the scheduler once its scans are kept; re-fetches run after the answer,
    /// only their place in the queue is taken here.
    private func followUp(_ action: WebhookAction, from source: Source, delivery: AcceptedDelivery) async throws(StateError) {
        switch action {
        case .update(let update, let refetch):
            if delivery.watchesMayFollow, watches.mayMatchWebhooks {
                do {
                    try await watches.matchWebhook(update)
                } catch {
                    throw .unavailable("the watches following the scan could not be updated", retryAfterSeconds: 5)
                }
            }
            if let refetch { _ = await watches.refetchNow(refetch, source: source.name) }
        case .refetch(let ref):
            guard await watches.refetchNow(ref, source: source.name) else {
                throw .unavailable("too many re-fetches are waiting for source '\(source.name)'", retryAfterSeconds: 10)
            }
        case .watch(let ref, let scanStartedAt):
            do {
                _ = try await watches.add(WatchRequest(source: source.name, ref: ref, scanStartedAt: scanStartedAt))
            } catch let refusal as StateError {
                throw refusal
            } catch {
                throw .unavailable("\(error)", retryAfterSeconds: 60)
            }
        }
    }
}
