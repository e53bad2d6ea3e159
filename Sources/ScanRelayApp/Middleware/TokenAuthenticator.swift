import Crypto

/// Finds the scopes of a bearer token without revealing, through timing, how much of a guess was right.
///
/// Configured tokens are kept only as SHA-256 digests; a candidate is hashed and compared with every digest, each
/// comparison constant-time and none skipped, so the time taken depends neither on the candidate's content nor on
/// which token (if any) it matches.
struct TokenAuthenticator: Sendable {
    private let entries: [(digest: [UInt8], scopes: Set<APIToken.Scope>)]

    init(tokens: [APIToken]) {
        entries = tokens.map { (Self.digest($0.token), $0.scopes) }
    }

    /// The union of the scopes of every configured token equal to `candidate`; nil when none is.
    func scopes(for candidate: String) -> Set<APIToken.Scope>? {
        let digest = Self.digest(candidate)
        var matched: Set<APIToken.Scope>?
        for entry in entries where Self.constantTimeEqual(entry.digest, digest) {
            matched = (matched ?? []).union(entry.scopes)
        }
        return matched
    }

    private static func digest(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// Both digests are 32 bytes; every byte is compared whatever the earlier ones were.
    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
