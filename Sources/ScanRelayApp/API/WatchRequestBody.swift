import Foundation
import Polling
import Providers
import ScanCore

/// Parses and validates the body of `POST /v1/watches`: not JSON is a 400; a member of the wrong shape, an unknown
/// source or a `ref` that does not fit the source's provider is a 422 naming the member.
enum WatchRequestBody {
    static func parse(
        _ body: [UInt8], providers: [String: Provider], pollableSources: Set<String>
    ) throws(APIError) -> WatchRequest {
        guard let json = JSONValue.parse(body) else { throw .badRequest("the body is not JSON") }
        guard let object = json.object else {
            throw .unprocessable("the body must be a JSON object with source and ref", field: "")
        }
        guard let source = object["source"]?.string, !source.isEmpty else {
            throw .unprocessable("source is required: the name of a configured source", field: "source")
        }
        guard let provider = providers[source] else {
            throw .unprocessable("source '\(source)' is not configured", field: "source")
        }
        guard pollableSources.contains(source) else {
            throw .unprocessable("source '\(source)' has no upstream to poll", field: "source")
        }
        guard let refObject = object["ref"]?.object else {
            throw .unprocessable("ref is required: an object of \(provider.rawValue) ids", field: "ref")
        }
        let ref = try scanRef(provider: provider, refObject)
        return WatchRequest(
            source: source, ref: ref,
            imageSizeBytes: try optionalSize(object["imageSizeBytes"]),
            expectWebhook: try optionalBool(object["expectWebhook"], field: "expectWebhook") ?? false,
            scanStartedAt: try optionalTime(object["scanStartedAt"], field: "scanStartedAt")
        )
    }

    /// Every member of `ref` must be a string; the provider's own rules then name the field that does not fit.
    private static func scanRef(provider: Provider, _ object: [String: JSONValue]) throws(APIError) -> ScanRef {
        var fields: [String: String] = [:]
        for (key, value) in object {
            guard case .string(let text) = value else { throw .unprocessable("ref.\(key) must be a string", field: "ref.\(key)") }
            fields[key] = text
        }
        do {
            return try ScanRef(provider: provider, fields: fields)
        } catch {
            let field = error.field == "source" ? "source" : "ref.\(error.field)"
            throw .unprocessable("\(field) \(error.problem)", field: field)
        }
    }

    private static func optionalSize(_ value: JSONValue?) throws(APIError) -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .number(let number)? where number >= 0 && number < 9e15:
            if let size = Int64(exactly: number) { return size }
        default: break
        }
        throw .unprocessable("imageSizeBytes must be a non-negative integer", field: "imageSizeBytes")
    }

    private static func optionalBool(_ value: JSONValue?, field: String) throws(APIError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw .unprocessable("\(field) must be true or false", field: field)
        }
    }

    private static func optionalTime(_ value: JSONValue?, field: String) throws(APIError) -> Date? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            if let date = RFC3339.parse(text) { return date }
        default: break
        }
        throw .unprocessable("\(field) must be an RFC 3339 time such as 2026-01-01T00:00:00Z", field: field)
    }
}
