import Foundation
import Testing
@testable import StateJournal

/// The state directory against someone who can plant files in it, or who made it writable for others.
@Suite struct StateDirectorySafetyTests {
    @Test func aSymlinkPlantedAsTheJournal_IsRefused_AndItsTargetKeepsEveryByte() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let victim = try TemporaryDirectory()
        defer { victim.remove() }
        let precious = Array("root:x:0:0:root:/root:/bin/bash\n".utf8)
        try victim.write(precious, to: "passwd")
        #expect(symlink(victim.file("passwd"), directory.file("journal-1")) == 0)

        #expect(throws: JournalError.notARegularFile(path: directory.file("journal-1"), found: "a symbolic link")) {
            _ = try openJournal(directory)
        }
        #expect(try victim.bytes(of: "passwd") == precious)
    }

    @Test func aSymlinkPlantedAsTheLock_IsRefused_AndItsTargetIsNotCreated() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let victim = try TemporaryDirectory()
        defer { victim.remove() }
        #expect(symlink(victim.file("created-by-the-service"), directory.file("LOCK")) == 0)

        #expect(throws: JournalError.notARegularFile(path: directory.file("LOCK"), found: "a symbolic link")) {
            _ = try openJournal(directory)
        }
        #expect(try victim.names().isEmpty)
    }

    @Test func aFIFOPlantedAsASegment_IsRefused_WithoutBlocking() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(mkfifo(directory.file("journal-3"), 0o600) == 0)
        #expect(throws: JournalError.notARegularFile(path: directory.file("journal-3"), found: "a FIFO")) {
            _ = try openJournal(directory)
        }
    }

    @Test func aGroupWritableDirectory_IsRefused_SayingHowToFixIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o770) == 0)
        #expect(throws: JournalError.unsafeDirectory(
            path: directory.path, problem: "is writable by its group or by everyone (mode 770)",
            fix: "run `chmod 700 \(directory.path)`")
        ) {
            _ = try openJournal(directory)
        }
        #expect(try directory.names().isEmpty, "nothing is created in a refused directory")
        #expect(chmod(directory.path, 0o700) == 0)
        try await openJournal(directory).journal.close()
    }

    @Test func aWorldWritableDirectory_IsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o1777) == 0)
        #expect { _ = try openJournal(directory) } throws: { error in
            guard case .unsafeDirectory(_, let problem, let fix) = error as? JournalError else { return false }
            return problem.contains("mode 1777") && fix.contains("chmod 700")
        }
    }

    @Test func aDirectoryOwnedByAnotherUser_IsRefused_SayingHowToFixIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Only root may give a file away; as anyone else, a directory owned by root stands in for "another user".
        let other: uid_t = geteuid() == 0 ? 65534 : 0
        let subject = geteuid() == 0 ? directory.path : "/"
        if geteuid() == 0 { #expect(chown(directory.path, other, gid_t(65534)) == 0) }
        let journalDirectory = JournalDirectory(path: subject)
        #expect { try journalDirectory.verifySafe() } throws: { error in
            guard case .unsafeDirectory(let path, let problem, let fix) = error as? JournalError else { return false }
            return path == subject && problem == "is owned by uid \(other), not by uid \(geteuid()) the service runs as"
                && fix.contains("chown \(geteuid()) \(subject)")
        }
    }

    @Test func aStateDirectoryThatIsASymlink_IsRefused_NamingTheRealDirectory() async throws {
        let real = try TemporaryDirectory()
        defer { real.remove() }
        let link = real.path + "-link"
        #expect(symlink(real.path, link) == 0)
        defer { unlink(link) }
        #expect(throws: JournalError.unsafeDirectory(
            path: link, problem: "is a symbolic link",
            fix: "set state.dir to the directory itself (\(real.path)) instead of a link to it")
        ) {
            _ = try StateJournal(directory: link, warn: { _ in }, replay: { _ in })
        }
    }

    @Test func theRefusalMessage_NamesThePathTheProblemAndTheFix() {
        let error = JournalError.unsafeDirectory(
            path: "/var/lib/scan relay", problem: "is writable by its group or by everyone (mode 777)",
            fix: "run `chmod 700 \(JournalDirectory.shellQuoted("/var/lib/scan relay"))`")
        #expect(error.description == "state directory /var/lib/scan relay is writable by its group or by everyone "
            + "(mode 777): refusing to use it; run `chmod 700 '/var/lib/scan relay'`")
    }
}
