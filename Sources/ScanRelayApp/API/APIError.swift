import HTTPCore

/// A request the API refuses, carried from parsing code to the handler that answers it as problem+json.
struct APIError: Error, Sendable {
    let status: HTTPStatus
    let detail: String
    /// The offending member or parameter (`ref.imageId`, `limit`), as the problem's `field` extension.
    let field: String?
    var headers: HTTPHeaders = [:]

    init(_ status: HTTPStatus, _ detail: String, field: String? = nil, headers: HTTPHeaders = [:]) {
        self.status = status
        self.detail = detail
        self.field = field
        self.headers = headers
    }

    static func badRequest(_ detail: String, field: String? = nil) -> APIError {
        APIError(.badRequest, detail, field: field)
    }

    static func unprocessable(_ detail: String, field: String? = nil) -> APIError {
        APIError(.unprocessableContent, detail, field: field)
    }

    /// Over a capacity limit or shutting down: the client may retry after a short while.
    static func unavailable(_ detail: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(.serviceUnavailable, detail, headers: ["Retry-After": String(retryAfterSeconds)])
    }

    var response: HTTPResponse {
        .problem(status, detail, extensions: field.map { ["field": $0] } ?? [:], headers: headers)
    }
}
