// swift-crypto 3.x does not yet mark its immutable key and digest values Sendable; they are safe to share.
@preconcurrency import Crypto

/// Verifies a GitHub-style signature: a header (default `X-Hub-Signature-256`) holding
/// `sha256=<hex HMAC-SHA256 of the raw body>`, hex in either case.
struct HubSignatureCheck: Sendable {
    let header: String
    let secrets: [SymmetricKey]

    static let prefix = "sha256="

    func verify(headers: WebhookHeaders, body: [UInt8]) throws(VerificationFailure) {
        let values = headers.values(for: header).filter { !$0.isEmpty }
        guard !values.isEmpty else { throw .missingHeader(header) }
        let macs = values.compactMap(Self.mac(from:))
        guard !macs.isEmpty else { throw .malformedSignature }
        // One MAC per configured secret, compared with every value the header carries: many values cost no more
        // HMACs over the body than one. swift-crypto's `==` between a MAC and bytes compares in constant time.
        var valid = false
        for secret in secrets {
            let code = HMAC<SHA256>.authenticationCode(for: body, using: secret)
            for mac in macs where code == mac { valid = true }
            if valid { break }
        }
        guard valid else { throw .signatureMismatch }
    }

    /// The 32 MAC bytes of `sha256=<64 hex digits>`, or nil when the value has any other shape.
    static func mac(from value: String) -> [UInt8]? {
        let value = value.utf8
        guard value.count == prefix.utf8.count + 64,
              value.prefix(prefix.utf8.count).elementsEqual(prefix.utf8, by: { Self.lowercased($0) == $1 })
        else { return nil }
        return Hex.decode(value.dropFirst(prefix.utf8.count))
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
