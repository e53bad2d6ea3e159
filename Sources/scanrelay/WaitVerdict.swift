/// What `wait` concludes from the scan it followed: the exit status and the line that says why. Pure.
struct WaitVerdict: Equatable {
    enum Threshold: String, CaseIterable, Sendable {
        case critical, high, medium, low

        /// Findings at or above this severity.
        func count(in findings: ScanSnapshot.Findings) -> Int {
            switch self {
            case .critical: findings.critical
            case .high: findings.critical + findings.high
            case .medium: findings.critical + findings.high + findings.medium
            case .low: findings.critical + findings.high + findings.medium + findings.low
            }
        }
    }

    var exitStatus: Int32
    var message: String
    /// A line printed before `message` to standard error, such as a pass without findings.
    var warning: String?

    /// The verdict on a scan that reached a final state.
    static func final(_ scan: ScanSnapshot, failOn threshold: Threshold?) -> WaitVerdict {
        let upstream = scan.upstreamStatus.map { " (upstream status \($0))" } ?? ""
        guard scan.status == "completed" else {
            return WaitVerdict(exitStatus: ExitStatus.scanFailedOrTimeout, message: "FAIL \(scan.id) is \(scan.status)\(upstream)")
        }
        guard let findings = scan.findings else {
            return WaitVerdict(
                exitStatus: ExitStatus.pass, message: "PASS \(scan.id) completed",
                warning: "warning: \(scan.id) completed without findings counts; passing"
            )
        }
        let summary = summary(of: findings)
        guard let threshold else {
            return WaitVerdict(exitStatus: ExitStatus.pass, message: "PASS \(scan.id) completed: \(summary)")
        }
        let above = threshold.count(in: findings)
        guard above == 0 else {
            return WaitVerdict(
                exitStatus: ExitStatus.findings,
                message: "FAIL \(scan.id) completed with \(above) finding\(above == 1 ? "" : "s") at or above \(threshold.rawValue): \(summary)"
            )
        }
        return WaitVerdict(
            exitStatus: ExitStatus.pass,
            message: "PASS \(scan.id) completed with nothing at or above \(threshold.rawValue): \(summary)"
        )
    }

    /// The verdict on a multi-arch index once every child has a final scan: the worst child's (a failed scan before
    /// findings before a pass), named for the index.
    static func index(_ imageId: String, children: [ScanSnapshot], failOn threshold: Threshold?) -> WaitVerdict {
        let verdicts = children.map { final($0, failOn: threshold) }
        guard let worst = verdicts.max(by: { $0.exitStatus < $1.exitStatus }) else {
            return WaitVerdict(exitStatus: ExitStatus.scanFailedOrTimeout, message: "FAIL index \(imageId) has no child images to judge")
        }
        let warnings = verdicts.compactMap(\.warning)
        let count = "\(children.count) child image\(children.count == 1 ? "" : "s")"
        if worst.exitStatus == ExitStatus.pass {
            return WaitVerdict(exitStatus: ExitStatus.pass, message: "PASS index \(imageId): all \(count) pass",
                               warning: warnings.isEmpty ? nil : warnings.joined(separator: "\n"))
        }
        return WaitVerdict(exitStatus: worst.exitStatus, message: "FAIL index \(imageId) (\(count)): " + worst.message.replacingOccurrences(of: "FAIL ", with: "", options: .anchored),
                           warning: warnings.isEmpty ? nil : warnings.joined(separator: "\n"))
    }

    /// The verdict when the time ran out before a final state.
    static func timedOut(after timeout: String, last: ScanSnapshot?, following: String) -> WaitVerdict {
        let state = last.map { "\($0.id) is still \($0.status)" } ?? "no scan of \(following) is known yet"
        return WaitVerdict(exitStatus: ExitStatus.scanFailedOrTimeout, message: "TIMEOUT after \(timeout): \(state)")
    }

    static func summary(of findings: ScanSnapshot.Findings) -> String {
        var parts = ["critical \(findings.critical)", "high \(findings.high)", "medium \(findings.medium)", "low \(findings.low)"]
        if let negligible = findings.negligible { parts.append("negligible \(negligible)") }
        if let unknown = findings.unknown { parts.append("unknown \(unknown)") }
        return parts.joined(separator: ", ")
    }
}
