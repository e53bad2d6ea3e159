import CCurl
import Foundation
import Locking

/// HTTP requests over libcurl, used directly: one multi handle, driven by one dedicated thread, shared by every
/// caller in the process (so connections and DNS answers are reused across requests and sources).
///
/// Each `send` queues its request to that thread and suspends; the thread resumes it with the answer or the
/// failure. A task cancelled while it waits gets `.cancelled` at once and its transfer is closed. Redirects are
/// never followed, only http and https are spoken, TLS peers are always verified, HTTP/2 is used over TLS where the
/// server offers it. See `CurlEngine` for why the design is this simple one.
public final class CurlHTTPClient: Sendable {
    /// The process's client. The first use initialises libcurl (`curl_global_init`, once) and starts its thread.
    public static let shared = CurlHTTPClient()

    /// Bound on the response's header section, interim responses included.
    public static let maxHeaderBytes = 64 << 10

    private let engine: CurlEngine

    private init() {
        engine = CurlEngine()
    }

    /// The libcurl this process runs with, e.g. "libcurl/7.88.1 OpenSSL/3.0.17 zlib/1.2.13 … nghttp2/1.52.0".
    public static var libraryVersion: String {
        String(cString: curl_version())
    }

    public func send(_ request: CurlRequest, options: CurlOptions = CurlOptions()) async throws(CurlClientError)
        -> CurlResponse
    {
        let ticket = TransferTicket()
        let engine = engine
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                engine.submit(.start(Submission(
                    request: request, options: options, ticket: ticket, continuation: continuation)))
            }
        } onCancel: {
            // Set before the command is queued: a start that is still behind it in the queue sees the mark.
            ticket.cancel()
            engine.submit(.cancel(ticket))
        }
        return try result.get()
    }
}

/// Identifies one transfer between the awaiting task and the engine thread, and carries its cancellation.
final class TransferTicket: Sendable {
    private let cancelled = Locked(false)

    func cancel() { cancelled.withLock { $0 = true } }

    var isCancelled: Bool { cancelled.withLock { $0 } }
}

/// A request on its way to the engine thread, with the continuation that thread resumes exactly once.
struct Submission: Sendable {
    let request: CurlRequest
    let options: CurlOptions
    let ticket: TransferTicket
    let continuation: CheckedContinuation<Result<CurlResponse, CurlClientError>, Never>
}

enum EngineCommand: Sendable {
    case start(Submission)
    case cancel(TransferTicket)
}
