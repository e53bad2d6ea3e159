import Foundation
import Polling
import Providers
import ScanCore
import StateJournal

/// What the state journal holds, one JSON payload per record: a scan as cached, a delivery key claimed, a watch
/// with its schedule and what its next poll needs. Each record is a full state, never a delta, so replay keeps the
/// newest and order matters little.
enum DurableRecord {
    case scan(Scan)
    case delivery(key: String, claimedAt: Date)
    case watch(WatchState)

    private enum Kind: UInt8 {
        case scan = 1
        case delivery = 2
        case watch = 3
    }

    /// `Scan`'s Codable form leaves `raw` out (lists show it only on request); the journal keeps it. The API's
    /// RFC 3339 times stop at microseconds, so the exact times ride along: page tokens hold `createdAt`'s bits.
    private struct ScanPayload: Codable {
        var scan: Scan
        var raw: Data
        var times: ExactTimes

        init(_ scan: Scan) {
            self.scan = scan
            raw = Data(scan.raw)
            times = ExactTimes([scan.createdAt, scan.updatedAt, scan.upstreamUpdatedAt, scan.completedAt])
        }

        var restored: Scan {
            var scan = scan
            scan.raw = Array(raw)
            if let times = times.dates(count: 4) {
                scan.createdAt = times[0] ?? scan.createdAt
                scan.updatedAt = times[1] ?? scan.updatedAt
                scan.upstreamUpdatedAt = times[2]
                scan.completedAt = times[3]
            }
            return scan
        }
    }

    /// The watch as the API shows it, its exact times, and where its polling stands: the ref its last poll resolved
    /// and its run of failures. Records written before these two were kept have neither: such a watch polls its own
    /// ref with a fresh backoff, as it did then.
    private struct WatchPayload: Codable {
        var watch: Watch
        var times: ExactTimes
        var pollRef: ScanRef?
        var consecutiveErrors: Int?

        init(_ state: WatchState) {
            watch = state.watch
            times = ExactTimes([watch.createdAt, watch.scanStartedAt, watch.nextPollAt])
            pollRef = state.pollRef
            consecutiveErrors = state.consecutiveErrors
        }

        var restored: WatchState {
            var watch = watch
            if let times = times.dates(count: 3) {
                watch.createdAt = times[0] ?? watch.createdAt
                watch.scanStartedAt = times[1] ?? watch.scanStartedAt
                watch.nextPollAt = times[2]
            }
            return WatchState(watch: watch, pollRef: pollRef, consecutiveErrors: consecutiveErrors ?? 0)
        }
    }

    /// Times as seconds since the reference date: JSON numbers round-trip a `Double` exactly.
    private struct ExactTimes: Codable {
        var seconds: [Double?]

        init(_ dates: [Date?]) {
            seconds = dates.map { $0?.timeIntervalSinceReferenceDate }
        }

        func dates(count: Int) -> [Date?]? {
            seconds.count == count ? seconds.map { $0.map(Date.init(timeIntervalSinceReferenceDate:)) } : nil
        }
    }

    private struct DeliveryPayload: Codable {
        var key: String
        var claimedAt: Double
    }

    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()

    func encoded() throws -> JournalRecord {
        switch self {
        case .scan(let scan):
            return JournalRecord(
                kind: Kind.scan.rawValue,
                payload: Array(try Self.encoder.encode(ScanPayload(scan))))
        case .delivery(let key, let claimedAt):
            return JournalRecord(
                kind: Kind.delivery.rawValue,
                payload: Array(try Self.encoder.encode(
                    DeliveryPayload(key: key, claimedAt: claimedAt.timeIntervalSince1970))))
        case .watch(let state):
            return JournalRecord(kind: Kind.watch.rawValue, payload: Array(try Self.encoder.encode(WatchPayload(state))))
        }
    }

    /// The record's meaning; throws for a kind this version does not know or a payload that does not decode.
    init(_ record: JournalRecord) throws {
        let payload = Data(record.payload)
        switch Kind(rawValue: record.kind) {
        case .scan:
            self = .scan(try Self.decoder.decode(ScanPayload.self, from: payload).restored)
        case .delivery:
            let decoded = try Self.decoder.decode(DeliveryPayload.self, from: payload)
            self = .delivery(key: decoded.key, claimedAt: Date(timeIntervalSince1970: decoded.claimedAt))
        case .watch:
            self = .watch(try Self.decoder.decode(WatchPayload.self, from: payload).restored)
        case nil:
            throw UnknownKind(kind: record.kind)
        }
    }

    struct UnknownKind: Error, CustomStringConvertible {
        let kind: UInt8
        var description: String { "unknown record kind \(kind)" }
    }
}
