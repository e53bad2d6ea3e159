import AppState
import Foundation
import Logging
import Polling
import Providers
import ScanCore
import Locking
import StateJournal
import Testing
import Webhooks
@testable import ScanRelayApp

/// Shutdown goes: unready, listener closed and requests drained, polls stopped, journal flushed and closed — so
/// nothing is submitted to the journal after it closed, even by a poll still in flight when shutdown began.
@Suite(.timeLimit(.minutes(1))) struct ShutdownOrderTests {
    @Test func aPollInFlightAtShutdown_EndsBeforeTheJournalCloses_AndItsResultIsJournaled() async throws {
        let directory = NSTemporaryDirectory() + "shutdown-order-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let upstream = HeldUpstream()
        let watchID = try await withRunningApp(upstreamClients: ["binarly": upstream]) { configuration in
            configuration.state.dir = directory
            configuration.sources = [
                SourceConfiguration(
                    name: "binarly", provider: .binarly,
                    upstream: UpstreamSettings(baseURL: URL(string: "http://127.0.0.1:9")!),
                    webhook: WebhookSettings(verify: .token, tokens: ["t"]))
            ]
        } _: { running in
            // Started long ago: its first poll is due at once.
            let created = try await running.postJSON(
                "/v1/watches",
                #"{"source":"binarly","ref":{"productId":"p","imageId":"i"},"scanStartedAt":"2026-01-01T00:00:00Z"}"#)
            #expect(created.status == 201)
            let watchID = try #require(created.json["id"] as? String)
            await upstream.entered.first { _ in true }

            // Shutdown must reach the held poll (the scheduler cancels it) while the journal is still open. Were the
            // journal closed before the polls stopped, the app would stop first, with the poll still held.
            let stopping = Task { try await running.stop() }
            let journalOpenWhenPollCancelled = await withTaskGroup(of: Bool?.self) { group in
                group.addTask {
                    guard await upstream.cancelled.first(where: { _ in true }) != nil else { return nil }
                    return running.app.durable?.journal.isClosed == false
                }
                group.addTask {
                    _ = await stopping.result
                    return nil
                }
                let first = await group.next() ?? nil
                upstream.release()
                group.cancelAll()
                return first
            }
            #expect(journalOpenWhenPollCancelled == true)
            try await stopping.value
            #expect(running.app.durable?.journal.isClosed == true)
            return watchID
        }

        // The scan the poll brought back, and the watch it ended, were written before the journal closed.
        let reopened = try MemoryStateStore(
            cache: ScanStore(), ledger: DeliveryLedger(), directory: directory, options: JournalOptions(),
            logger: Logger(label: "test"))
        let store = reopened.cache
        let scheduler = WatchScheduler(policy: PollPolicy(), sources: [:], sink: { _ in })
        await reopened.resumeWatches(into: scheduler)
        await reopened.close()
        #expect(store.scan(id: "binarly:held-scan")?.status == .completed)
        let watch = await scheduler.watch(id: watchID)
        #expect(watch?.state == .done)
        #expect(watch?.scanId == "binarly:held-scan")
    }
}

/// A Binarly upstream whose one poll is held until `release()`; it says when the poll began and when it was
/// cancelled, and answers with a completed scan either way (as an upstream that answers late does).
final class HeldUpstream: UpstreamClient {
    let entered: AsyncStream<Void>
    let cancelled: AsyncStream<Void>
    private let enteredSink: AsyncStream<Void>.Continuation
    private let cancelledSink: AsyncStream<Void>.Continuation
    private let gate = Locked<(open: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    init() {
        (entered, enteredSink) = AsyncStream.makeStream()
        (cancelled, cancelledSink) = AsyncStream.makeStream()
    }

    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        enteredSink.yield()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let open = gate.withLock { gate in
                    if !gate.open { gate.waiter = continuation }
                    return gate.open
                }
                if open { continuation.resume() }
            }
        } onCancel: {
            cancelledSink.yield()
        }
        let update = ScanUpdate(
            source: "binarly", provider: .binarly, upstreamId: "held-scan", subject: ScanSubject(imageId: "i", productId: "p"),
            status: .completed, upstreamStatus: "completed", via: .poll)
        return .scan(update, following: .binarly(productId: "p", imageId: "i", scanId: "held-scan"))
    }

    func release() {
        let waiter = gate.withLock { gate in
            gate.open = true
            defer { gate.waiter = nil }
            return gate.waiter
        }
        waiter?.resume()
    }
}
