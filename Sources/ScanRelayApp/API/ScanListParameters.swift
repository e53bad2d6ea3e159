import Foundation
import HTTPCore
import ScanCore

/// Reads `GET /v1/scans` query parameters into a `ScanQuery`; anything malformed is a 400 naming the parameter.
enum ScanListParameters {
    static func parse(_ query: QueryParameters) throws(APIError) -> ScanQuery {
        let page = try PageParameters(query)
        var scanQuery = ScanQuery(
            source: query["source"], imageId: query["imageId"], productId: query["productId"], limit: page.limit,
            pageToken: page.pageToken)
        if let text = query["provider"] {
            guard let provider = Provider(rawValue: text) else {
                throw .badRequest("provider must be one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))", field: "provider")
            }
            scanQuery.provider = provider
        }
        if let text = query["status"] {
            guard let status = ScanStatus(rawValue: text) else {
                throw .badRequest("status must be one of \(ScanStatus.allCases.map(\.rawValue).joined(separator: ", "))", field: "status")
            }
            scanQuery.status = status
        }
        if let text = query["updatedSince"] {
            guard let date = RFC3339.parse(text) else {
                throw .badRequest("updatedSince must be an RFC 3339 time such as 2026-01-01T00:00:00Z", field: "updatedSince")
            }
            // Times are served truncated to the second, so an `updatedAt` passed back is at or before the record's;
            // but truncation runs on seconds since 1970, which a `Date` near today holds only to about a tenth of a
            // microsecond: a microsecond of slack keeps the bound inclusive whatever the rounding in between.
            scanQuery.updatedSince = date.addingTimeInterval(-0.000_001)
        }
        return scanQuery
    }
}
