/// The event a change of a scan publishes: `scan.completed` when the change made it terminal, else `scan.updated`,
/// with the scan as its `data:`. One rule for every store that keeps scans, in memory or shared.
public struct ScanChangeEvent: Sendable, Hashable {
    public let type: String
    public let payload: [UInt8]

    /// Nil for an outcome that changed nothing (`unchanged`, `refused`).
    public init?(_ outcome: ApplyOutcome) {
        let type: String
        switch outcome {
        case .created(let scan): type = scan.status.isTerminal ? "scan.completed" : "scan.updated"
        case .changed(let old, let new): type = new.status.isTerminal && !old.status.isTerminal ? "scan.completed" : "scan.updated"
        case .unchanged, .refused: return nil
        }
        guard let scan = outcome.scan else { return nil }
        self.type = type
        self.payload = ScanJSON.encodeEvent(type: type, scan: scan)
    }
}
