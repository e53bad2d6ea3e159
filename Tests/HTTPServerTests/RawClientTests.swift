import Foundation
import Glibc
import Synchronization
import Testing

/// The test clients share one process with every server under test, so a descriptor closed twice can close another
/// test's connection (CI once saw two unrelated requests end in EOF after a refused connect).
@Suite struct RawClientTests {
    @Test func aRefusedConnect_LeavesDescriptorsOpenedMeanwhileAlone() throws {
        let port = try Self.portNobodyListensOn()
        let stop = Atomic<Bool>(false)
        let broken = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
        // Opens and checks socket pairs as fast as it can, so a number closed a second time is likely one of them.
        // (`MSG_NOSIGNAL`: a pair whose other end was closed under it counts as broken instead of raising SIGPIPE.)
        let checker = Thread {
            var byte: UInt8 = 1
            while !stop.load(ordering: .relaxed) {
                var ends: [Int32] = [0, 0]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else { continue }
                if send(ends[1], &byte, 1, Int32(MSG_NOSIGNAL)) != 1 || recv(ends[0], &byte, 1, Int32(MSG_DONTWAIT)) != 1 {
                    broken.add(1, ordering: .relaxed)
                }
                close(ends[0])
                close(ends[1])
            }
            finished.signal()
        }
        checker.start()
        for _ in 0..<5_000 {
            #expect(throws: RawClient.Failure.connect(ECONNREFUSED)) { try RawClient(port: port) }
        }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        #expect(broken.load(ordering: .relaxed) == 0)
    }

    /// A loopback port that was just free: bound, read back, and released.
    static func portNobodyListensOn() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
