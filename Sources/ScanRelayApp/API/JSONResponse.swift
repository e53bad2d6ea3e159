import Foundation
import HTTPCore

extension HTTPResponse {
    static let jsonContentType = "application/json"

    /// A JSON body already encoded.
    static func json(_ bytes: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers.set("Content-Type", jsonContentType)
        return HTTPResponse(status: status, headers: headers, bytes: bytes)
    }

    /// A JSON body encoded from an `Encodable` value (the less hot paths: watches, acknowledgements).
    static func json(encoding value: some Encodable, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> HTTPResponse {
        do {
            return .json(Array(try APIJSON.encoder.encode(value)), status: status, headers: headers)
        } catch {
            return .problem(.internalServerError, "the response could not be encoded")
        }
    }
}

/// Shared JSON coders: sorted keys make responses stable, which clients caching by body and tests both like.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
