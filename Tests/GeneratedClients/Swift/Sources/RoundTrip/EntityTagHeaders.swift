import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Sends `If-None-Match` and `If-Match` as HTTP defines them.
///
/// swift-openapi-runtime percent-encodes every header parameter as a URI component (swift-openapi-generator issues
/// 529 and 857), so the entity tag `"3f2a…"` leaves as `%223f2a…%22`: not an entity tag, and no server that follows
/// RFC 9110 matches it — the `304` never comes. The generator's maintainers point to a client middleware; this is
/// the one a Swift client of ScanRelay needs (README, "Generated clients").
struct EntityTagHeaders: ClientMiddleware {
    static let names: [HTTPField.Name] = [.ifNoneMatch, .ifMatch]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        for name in Self.names {
            if let value = request.headerFields[name], let decoded = value.removingPercentEncoding {
                request.headerFields[name] = decoded
            }
        }
        return try await next(request, body, baseURL)
    }
}
