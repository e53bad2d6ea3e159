import HTTPCore

/// `limit` and `pageToken`, shared by the list endpoints.
struct PageParameters: Sendable {
    static let defaultLimit = 100
    static let maxLimit = 1000

    var limit: Int
    var pageToken: String?

    init(_ query: QueryParameters) throws(APIError) {
        if let text = query["limit"] {
            guard text.utf8.count <= 4, text.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(text),
                (1...Self.maxLimit).contains(value)
            else { throw .badRequest("limit must be an integer from 1 to \(Self.maxLimit)", field: "limit") }
            limit = value
        } else {
            limit = Self.defaultLimit
        }
        pageToken = query["pageToken"]
        if let pageToken, pageToken.isEmpty { throw .badRequest("pageToken must not be empty", field: "pageToken") }
    }
}

extension HTTPRequest {
    /// The query parameters, or a 400 when the query string is malformed.
    func parsedQuery() throws(APIError) -> QueryParameters {
        guard let query = queryParameters else { throw .badRequest("the query string is not valid percent-encoding") }
        return query
    }
}
