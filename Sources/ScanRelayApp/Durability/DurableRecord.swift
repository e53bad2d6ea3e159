import Foundation
import Polling
import ScanCore
import StateJournal

/// What the state journal holds, one JSON payload per record: a scan as cached, a delivery key claimed, a watch
/// with its schedule. Each record is a full state, never a delta, so replay keeps the newest and order matters little.
enum DurableRecord {
    case scan(Scan)
    case delivery(key: String, claimedAt: Date)
    case watch(Watch)

    private enum Kind: UInt8 {
        case scan = 1
        case delivery = 2
        case watch = 3
    }

    /// `Scan`'s Codable form leaves `raw` out (lists show it only on request); the journal keeps it.
    private struct ScanPayload: Codable {
        var scan: Scan
        var raw: Data
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
                payload: Array(try Self.encoder.encode(ScanPayload(scan: scan, raw: Data(scan.raw)))))
        case .delivery(let key, let claimedAt):
            return JournalRecord(
                kind: Kind.delivery.rawValue,
                payload: Array(try Self.encoder.encode(
                    DeliveryPayload(key: key, claimedAt: claimedAt.timeIntervalSince1970))))
        case .watch(let watch):
            return JournalRecord(kind: Kind.watch.rawValue, payload: Array(try Self.encoder.encode(watch)))
        }
    }

    /// The record's meaning; throws for a kind this version does not know or a payload that does not decode.
    init(_ record: JournalRecord) throws {
        let payload = Data(record.payload)
        switch Kind(rawValue: record.kind) {
        case .scan:
            let decoded = try Self.decoder.decode(ScanPayload.self, from: payload)
            var scan = decoded.scan
            scan.raw = Array(decoded.raw)
            self = .scan(scan)
        case .delivery:
            let decoded = try Self.decoder.decode(DeliveryPayload.self, from: payload)
            self = .delivery(key: decoded.key, claimedAt: Date(timeIntervalSince1970: decoded.claimedAt))
        case .watch:
            self = .watch(try Self.decoder.decode(Watch.self, from: payload))
        case nil:
            throw UnknownKind(kind: record.kind)
        }
    }

    struct UnknownKind: Error, CustomStringConvertible {
        let kind: UInt8
        var description: String { "unknown record kind \(kind)" }
    }
}
