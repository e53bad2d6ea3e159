import Foundation
import LoopbackUpstreams
import Polling
import Providers
import ScanCore
import Testing

/// The provider clients over the libcurl transport, against misbehaving upstreams on loopback.
@Suite(.timeLimit(.minutes(2))) struct UpstreamTransportTests {
    static let ref = ScanRef.binarly(productId: "p", imageId: "i", scanId: "s")

    static func client(_ base: String, timeout: Duration = .seconds(60)) throws -> BinarlyClient {
        let configuration = UpstreamConfiguration(
            baseURL: try #require(URL(string: base)), auth: .bearer("upstream-secret"), requestTimeout: timeout)
        return BinarlyClient(source: "binarly", configuration: configuration, maxConnections: 4)
    }

    @Test func aWatchDeletedMidRequestClosesTheUpstreamConnection() async throws {
        let server = try await UpstreamServer("silent")
        var policy = EndToEndHarness.fastPolicy
        policy.requestTimeout = .seconds(60)
        let scheduler = WatchScheduler(
            policy: policy, sources: ["binarly": .init(provider: .binarly, client: try Self.client(server.url))],
            sink: { _ in })
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(WatchRequest(source: "binarly", ref: Self.ref))
        let request = await within { await server.event("request") }
        #expect(request?["path"] == "/api/v4/products/p/images/i/scans/s")
        await scheduler.cancel(id: watch.id)
        #expect(await within { await server.event("closed") } != nil, "the upstream never saw the request abandoned")
        let ended = await scheduler.watch(id: watch.id)
        #expect(ended?.state == .cancelled)
        #expect(ended?.lastError == nil)
        await running.stop()
    }

    @Test func anEndlessAnswerIsCutAtTheCapAndMemoryStaysBounded() async throws {
        let server = try await UpstreamServer("endless")
        let before = Self.residentBytes()
        await #expect(throws: UpstreamError.malformed("answer larger than \(8 << 20) bytes")) {
            _ = try await Self.client(server.url).poll(Self.ref, scanStartedAt: Date())
        }
        let closed = await within { await server.event("closed") }
        let sent = try #require(closed?.int("bytesSent"))
        #expect(sent < 64 << 20, "the upstream sent \(sent) bytes before the transfer was closed")
        // Before libcurl the whole answer was buffered first: 1 GiB sent, 2 GB resident.
        let growth = Self.residentBytes() - before
        #expect(growth < 96 << 20, "resident memory grew by \(growth) bytes")
    }

    @Test func aSilentUpstreamIsATimeout() async throws {
        let server = try await UpstreamServer("silent")
        await #expect(throws: UpstreamError.timeout) {
            _ = try await Self.client(server.url, timeout: .milliseconds(500)).poll(Self.ref, scanStartedAt: Date())
        }
    }

    @Test func aRedirectIsAnErrorAnswerAndTheCredentialStaysHome() async throws {
        let target = try await UpstreamServer("json")
        let redirecting = try await UpstreamServer("redirect", ["\(target.url)/collect"])
        let client = try Self.client(redirecting.url)
        do throws(UpstreamError) {
            _ = try await client.poll(Self.ref, scanStartedAt: Date())
            Issue.record("a redirect was followed")
        } catch {
            guard case .http(let status, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(status == 302)
        }
        let asked = await redirecting.event("request")
        #expect(asked?.headers["authorization"] == "Bearer upstream-secret")
        #expect(target.events("request").isEmpty)
    }

    @Test func failuresNameNoURLQueryOrCredential() async throws {
        let server = try await UpstreamServer("json")
        let port = server.port
        server.process.signal(SIGKILL)
        _ = try? await server.process.finish()
        let client = try Self.client("http://127.0.0.1:\(port)/secret-prefix")
        do throws(UpstreamError) {
            _ = try await client.poll(
                .binarly(productId: "prod-x", imageId: "img-y", scanId: nil), scanStartedAt: Date())
            Issue.record("a closed port answered")
        } catch {
            #expect(error == .transport("connection refused"))
            for leaked in ["\(port)", "secret-prefix", "prod-x", "img-y", "status=true", "upstream-secret"] {
                #expect(!error.description.contains(leaked))
            }
        }
    }

    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
}
