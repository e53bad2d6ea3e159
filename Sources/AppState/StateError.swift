/// Why the state store did not do what was asked. The store's own words: the app decides what answer each gets.
public enum StateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The change cannot be made or recorded now (the journal cannot write, the database cannot be reached, the
    /// cache is full of scans in progress); nothing was changed, and the same request may succeed after
    /// `retryAfterSeconds`.
    case unavailable(String, retryAfterSeconds: Int)
    /// A list's page token is not one this service issued.
    case invalidPageToken

    public var description: String {
        switch self {
        case .unavailable(let reason, _): reason
        case .invalidPageToken: "the page token is not one this service issued"
        }
    }
}
