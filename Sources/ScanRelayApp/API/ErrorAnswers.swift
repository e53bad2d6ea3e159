import AppState
import HTTPCore

/// The one place where what a handler throws becomes an answer (the router's responder calls it): the API's own
/// refusals as they are, the state store's in the words of HTTP, anything else a bare `500`.
enum ErrorAnswers {
    static func response(for error: any Error) -> HTTPResponse {
        switch error {
        case let refusal as APIError: refusal.response
        case let refusal as StateError: APIError(refusal).response
        default: Router.internalError(error)
        }
    }
}

extension APIError {
    /// The answer a state store's refusal gets: `503` with `Retry-After` when the change may succeed later, `400`
    /// for a page token this service did not issue.
    init(_ error: StateError) {
        switch error {
        case .unavailable(let reason, let retryAfterSeconds):
            self = .unavailable(reason, retryAfterSeconds: retryAfterSeconds)
        case .invalidPageToken:
            self = .badRequest("pageToken is not one this server issued", field: "pageToken")
        }
    }
}
