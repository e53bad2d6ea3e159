import Foundation

/// Fetches and caches an OAuth2 client-credentials access token.
///
/// A token is renewed after 80 % of its `expires_in` (before the upstream starts refusing it) and at once when a
/// call using it got a 401. Refreshes are single-flight: polls that need a token while one is being fetched wait for
/// that same request instead of each sending their own.
actor OAuth2TokenProvider {
    /// Share of `expires_in` after which a token is renewed.
    static let renewalFraction = 0.8

    private struct Token {
        var value: String
        var renewAt: Date
    }

    private let credentials: OAuth2Credentials
    private let transport: UpstreamTransport
    private let now: @Sendable () -> Date
    private var token: Token?
    private var refreshing: Task<Result<Token, UpstreamError>, Never>?

    init(credentials: OAuth2Credentials, transport: UpstreamTransport, now: @escaping @Sendable () -> Date) {
        self.credentials = credentials
        self.transport = transport
        self.now = now
    }

    /// A token that is fresh enough to use.
    func accessToken() async throws(UpstreamError) -> String {
        if let token, now() < token.renewAt { return token.value }
        let task: Task<Result<Token, UpstreamError>, Never>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { await self.requestToken() }
            refreshing = task
        }
        let result = await task.value
        if refreshing == task {
            refreshing = nil
            if case .success(let fresh) = result { token = fresh }
        }
        return try result.get().value
    }

    /// Drops `value` after the upstream refused it, unless a newer token has replaced it already.
    func invalidate(_ value: String) {
        if token?.value == value { token = nil }
    }

    private func requestToken() async -> Result<Token, UpstreamError> {
        var request = UpstreamRequest(url: credentials.tokenURL)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        var form = [
            ("grant_type", "client_credentials"),
            ("client_id", credentials.clientID),
            ("client_secret", credentials.clientSecret),
        ]
        if let audience = credentials.audience { form.append(("audience", audience)) }
        request.httpBody = Data(form.map { "\(UpstreamURL.encode($0.0))=\(UpstreamURL.encode($0.1))" }
            .joined(separator: "&").utf8)
        let sentAt = now()
        do {
            let response = try await transport.send(request)
            guard (200..<300).contains(response.status) else {
                return .failure(.http(status: response.status, message: UpstreamErrorMessage.from(response.body)))
            }
            let answer = try JSONDecoder().decode(TokenAnswer.self, from: response.body)
            guard !answer.accessToken.isEmpty else { return .failure(.malformed("token endpoint sent an empty token")) }
            // Without `expires_in` the token is kept until a 401 says otherwise.
            let renewAt = answer.expiresIn.map { sentAt.addingTimeInterval($0 * Self.renewalFraction) } ?? .distantFuture
            return .success(Token(value: answer.accessToken, renewAt: renewAt))
        } catch let error as UpstreamError {
            return .failure(error)
        } catch {
            return .failure(.malformed("token endpoint answer is not an OAuth2 token response"))
        }
    }

    private struct TokenAnswer: Decodable {
        var accessToken: String
        var expiresIn: Double?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
        }
    }
}
