import Foundation
import StateJournal
import Testing
@testable import ScanRelayApp

/// The state directory fills up and is freed again, with the service running: while it is full, webhooks are
/// refused (503) and leave nothing behind, `/readyz` says so; once freed, the journal writes again by itself, and a
/// restart brings back exactly what was acknowledged.
///
/// The disk is a small tmpfs when the test may mount one (as root in CI); elsewhere the same failure is injected at
/// the journal's file layer (every write fails with ENOSPC, half a batch reaching the file as on a real full disk).
@Suite(.serialized) struct StateDirectoryFullDiskTests {
    /// Somewhere that can run out of space.
    protocol Disk: Sendable {
        var stateDirectory: String { get }
        var kind: String { get }
        func fill(_ app: RunningApp) throws
        func free(_ app: RunningApp) throws
        func remove()
    }

    /// A tmpfs of 512 KiB mounted on the state directory, filled with a file of zeros.
    struct TmpfsDisk: Disk {
        let stateDirectory: String
        var kind: String { "tmpfs" }
        var filler: String { stateDirectory + "/filler" }

        init?() {
            let path = NSTemporaryDirectory() + "scanrelay-tmpfs-" + UUID().uuidString
            guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil,
                Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", path]) == 0
            else {
                try? FileManager.default.removeItem(atPath: path)
                return nil
            }
            stateDirectory = path
        }

        func fill(_ app: RunningApp) throws {
            let descriptor = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw POSIXError(.EIO) }
            defer { close(descriptor) }
            let chunk = [UInt8](repeating: 0, count: 4096)
            var written = 0
            while written < 64 << 20 {
                let count = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                written += count
            }
            #expect(errno == ENOSPC, "the tmpfs filled up")
        }

        func free(_ app: RunningApp) throws {
            #expect(unlink(filler) == 0)
        }

        func remove() {
            _ = Self.run("/bin/umount", [stateDirectory])
            try? FileManager.default.removeItem(atPath: stateDirectory)
        }

        /// `tool` with `arguments`, output discarded; its exit status, or -1. posix_spawn rather than Foundation's
        /// `Process`, which leaks a weak-reference side table per run (LeakSanitizer) and has crashed test bundles
        /// (swift-corelibs-foundation#5472); this init is synchronous, so the async ChildProcess does not fit.
        static func run(_ tool: String, _ arguments: [String]) -> Int32 {
            guard access(tool, X_OK) == 0 else { return -1 }
            let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { Glibc.free($0) } }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var pid: pid_t = 0
            guard posix_spawn(&pid, tool, &actions, nil, argv, environ) == 0 else { return -1 }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { return -1 }
            }
            // Exited normally: the exit code; ended by a signal: -1.
            return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
        }
    }

    /// An ordinary directory whose journal is told to fail every write with ENOSPC.
    struct InjectedDisk: Disk {
        let stateDirectory = NSTemporaryDirectory() + "scanrelay-injected-" + UUID().uuidString
        var kind: String { "injected" }

        func fill(_ app: RunningApp) throws { try #require(app.app.durable).journal.failWrites(with: ENOSPC) }
        func free(_ app: RunningApp) throws { try #require(app.app.durable).journal.failWrites(with: nil) }
        func remove() { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    static func start(on disk: any Disk) async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.state.dir = disk.stateDirectory
            configuration.sources = [
                SourceConfiguration(name: "relay", provider: .scanrelay, webhook: WebhookSettings(verify: .none))
            ]
        }
    }

    static func deliver(_ app: RunningApp, _ name: String) async throws -> Int {
        let body = #"{"type":"scan.completed","data":{"upstreamId":"\#(name)","subject":{"imageId":"img-\#(name)"},"#
            + #""status":"completed"}}"#
        return try await app.postJSON("/v1/webhooks/relay", body).status
    }

    static func waitForStatus(_ app: RunningApp, _ path: String, _ status: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(15)
        var current = try await app.get(path).status
        while current != status, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            current = try await app.get(path).status
        }
        return current
    }

    /// Run on a tmpfs where one can be mounted, and always with the injected failure too.
    @Test(arguments: [true, false])
    func aFullThenFreedDisk_Refuses503WithNoTrace_RecoversByItself_AndARestartKeepsEvery2xx(tmpfs: Bool) async throws {
        let disk: any Disk
        if tmpfs, let mounted = TmpfsDisk() { disk = mounted } else { disk = InjectedDisk() }
        defer { disk.remove() }
        print("state directory full-disk test on a \(disk.kind) disk")

        let app = try await Self.start(on: disk)
        var acknowledged: [String] = []
        for number in 0..<5 {
            #expect(try await Self.deliver(app, "before-\(number)") == 202)
            acknowledged.append("before-\(number)")
        }
        #expect(try await app.get("/readyz").status == 200)

        try disk.fill(app)
        // The journal's last page may still take a record or two; from the first refusal on, every one is refused.
        var refused: [String] = []
        for number in 0..<40 where refused.isEmpty {
            let status = try await Self.deliver(app, "filling-\(number)")
            #expect([202, 503].contains(status))
            if status == 202 { acknowledged.append("filling-\(number)") } else { refused.append("filling-\(number)") }
        }
        #expect(refused.count == 1, "the full disk never refused a delivery")
        for number in 0..<6 {
            #expect(try await Self.deliver(app, "while-full-\(number)") == 503)
            refused.append("while-full-\(number)")
        }
        for name in refused {
            #expect(try await app.get("/v1/scans/relay:\(name)").status == 404, "\(name) was refused but is served")
        }
        let ready = try await app.get("/readyz")
        #expect(ready.status == 503)
        #expect(ready.text.contains("state journal"))
        #expect(try await app.get("/healthz").status == 200, "a full disk is waited out, not restarted")
        let metrics = try PrometheusText(try await app.get("/metrics"))
        #expect(metrics.value("scanrelay_journal_writable") == 0)
        #expect(metrics.value("scanrelay_journal_write_failures_total") ?? 0 >= 1)
        #expect(metrics.value("scanrelay_journal_damaged_files") == 0)

        try disk.free(app)
        #expect(try await Self.waitForStatus(app, "/readyz", 200) == 200, "the journal did not recover by itself")
        for number in 0..<5 {
            #expect(try await Self.deliver(app, "after-\(number)") == 202)
            acknowledged.append("after-\(number)")
        }
        // A refused delivery sent again is processed, not taken for a duplicate.
        if let first = refused.first {
            #expect(try await Self.deliver(app, first) == 202)
            acknowledged.append(first)
            refused.removeFirst()
        }
        #expect(try PrometheusText(try await app.get("/metrics")).value("scanrelay_journal_writable") == 1)
        try await app.stop()

        let restarted = try await Self.start(on: disk)
        for name in acknowledged {
            #expect(try await restarted.get("/v1/scans/relay:\(name)").status == 200, "\(name) was acknowledged but is lost")
        }
        for name in refused {
            #expect(try await restarted.get("/v1/scans/relay:\(name)").status == 404, "\(name) was refused but came back")
        }
        try await restarted.stop()
    }

    @Test func aJournalThatCannotRecover_FailsLiveness() async throws {
        let disk = InjectedDisk()
        defer { disk.remove() }
        let app = try await Self.start(on: disk)
        try #require(app.app.durable).journal.failWrites(with: EROFS)
        #expect(try await Self.deliver(app, "on-a-read-only-disk") == 503)
        #expect(try await Self.waitForStatus(app, "/healthz", 503) == 503)
        #expect(try await app.get("/readyz").status == 503)
        #expect(try await app.get("/v1/scans/relay:on-a-read-only-disk").status == 404)
        try #require(app.app.durable).journal.failWrites(with: nil)
        #expect(try await Self.waitForStatus(app, "/healthz", 200) == 200)
        try await app.stop()
    }
}
