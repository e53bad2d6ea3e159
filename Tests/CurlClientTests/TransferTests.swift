import CurlClient
import Foundation
import LoopbackUpstreams
import Testing

/// Plain-HTTP behaviour: redirects, body cap, timeouts, cancellation, connection reuse, what errors say.
@Suite struct TransferTests {
    let client = CurlHTTPClient.shared

    @Test func aRedirectIsReturnedAndItsTargetGetsNothing() async throws {
        let target = try await UpstreamServer("json")
        let redirecting = try await UpstreamServer("redirect", ["\(target.url)/stolen"])
        let response = try await client.send(CurlRequest(
            url: "\(redirecting.url)/v1/scan", headers: [(name: "Authorization", value: "Bearer upstream-secret")]))
        #expect(response.status == 302)
        #expect(response.header("Location") == "\(target.url)/stolen")
        #expect(await redirecting.event("request")?["path"] == "/v1/scan")
        #expect(target.events("request").isEmpty)
    }

    @Test func anEndlessBodyIsCutAtTheCapWhileItArrives() async throws {
        let server = try await UpstreamServer("endless")
        let cap = 1 << 20
        do {
            _ = try await client.send(CurlRequest(url: "\(server.url)/endless", timeout: .seconds(60), maxBodyBytes: cap))
            Issue.record("an endless body was accepted")
        } catch {
            #expect(error == .bodyTooLarge(limit: cap))
        }
        // The transfer was closed at the cap: the server's writes failed long before its 1 GiB bound.
        let closed = await within { await server.event("closed") }
        let sent = try #require(closed?.int("bytesSent"))
        #expect(sent < 64 << 20, "the server sent \(sent) bytes")
    }

    @Test func aContentLengthOverTheCapIsRefused() async throws {
        let server = try await UpstreamServer("json")
        do {
            _ = try await client.send(CurlRequest(url: "\(server.url)/small", maxBodyBytes: 8))
            Issue.record("a body over the cap was accepted")
        } catch {
            #expect(error == .bodyTooLarge(limit: 8))
        }
    }

    @Test func aSilentUpstreamTimesOutAndItsConnectionIsClosed() async throws {
        let server = try await UpstreamServer("silent")
        let started = ContinuousClock.now
        do {
            _ = try await client.send(CurlRequest(url: "\(server.url)/silent", timeout: .milliseconds(700)))
            Issue.record("a silent upstream answered")
        } catch {
            #expect(error == .timeout)
        }
        #expect(ContinuousClock.now - started >= .milliseconds(700))
        #expect(await within { await server.event("closed") } != nil)
    }

    @Test func cancellingTheAwaitingTaskClosesTheTransfer() async throws {
        let server = try await UpstreamServer("silent")
        let client = client
        let request = Task { () -> CurlClientError? in
            do throws(CurlClientError) {
                _ = try await client.send(CurlRequest(url: "\(server.url)/held", timeout: .seconds(60)))
                return nil
            } catch {
                return error
            }
        }
        #expect(await within { await server.event("request") } != nil)
        request.cancel()
        #expect(await request.value == .cancelled)
        #expect(await within { await server.event("closed") } != nil)
    }

    @Test func aTaskCancelledBeforeSendingSendsNothing() async throws {
        let server = try await UpstreamServer("json")
        let client = client
        let request = Task { () -> CurlClientError? in
            withUnsafeCurrentTask { $0?.cancel() }
            do throws(CurlClientError) {
                _ = try await client.send(CurlRequest(url: "\(server.url)/never"))
                return nil
            } catch {
                return error
            }
        }
        #expect(await request.value == .cancelled)
        // A request sent now is the first the server sees.
        _ = try await client.send(CurlRequest(url: "\(server.url)/after"))
        _ = await server.event("request") { $0["path"] == "/after" }  // printed before it answered; read by now
        #expect(server.events("request").map { $0["path"] } == ["/after"])
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = try await UpstreamServer("json")
        for index in 0..<3 {
            let response = try await client.send(CurlRequest(url: "\(server.url)/reuse/\(index)"))
            #expect(response.status == 200)
        }
        _ = await server.event("request") { $0["path"] == "/reuse/2" }
        let connections = server.events("request").compactMap { $0.int("connection") }
        #expect(connections.count == 3)
        #expect(Set(connections).count == 1)
    }

    @Test func aPostSendsItsBodyAndFields() async throws {
        let server = try await UpstreamServer("json")
        let response = try await client.send(CurlRequest(
            method: "POST", url: "\(server.url)/report", headers: [(name: "Content-Type", value: "application/json")],
            body: Array(#"{"a": 1}"#.utf8)))
        #expect(response.status == 200)
        let request = await server.event("request")
        #expect(request?["method"] == "POST")
        #expect(request?["body"] == #"{"a": 1}"#)
        let headers = request?.headers
        #expect(headers?["content-type"] == "application/json")
        #expect(headers?["expect"] == nil)
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1/", "dict://127.0.0.1/"])
    func onlyHTTPAndHTTPSAreFetched(url: String) async {
        await #expect(throws: CurlClientError.invalidRequest("only http and https URLs are fetched")) {
            _ = try await client.send(CurlRequest(url: url))
        }
    }

    @Test func aHeaderValueWithALineBreakIsRefusedUnsent() async throws {
        let server = try await UpstreamServer("json")
        do {
            _ = try await client.send(CurlRequest(
                url: "\(server.url)/inject", headers: [(name: "X-Token", value: "a\r\nX-Injected: 1")]))
            Issue.record("a header with CR LF was sent")
        } catch {
            guard case .invalidRequest = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.description.contains("X-Injected"))
        }
        _ = try await client.send(CurlRequest(url: "\(server.url)/after"))
        _ = await server.event("request") { $0["path"] == "/after" }  // printed before it answered; read by now
        #expect(server.events("request").map { $0["path"] } == ["/after"])
    }

    @Test func aRefusedConnectionSaysSoWithoutTheURL() async throws {
        // A port that was just free: bound, read, closed.
        let server = try await UpstreamServer("json")
        let port = server.port
        server.process.signal(SIGKILL)
        _ = try? await server.process.finish()
        do {
            _ = try await client.send(CurlRequest(url: "http://127.0.0.1:\(port)/v1/secret-path?apikey=query-secret"))
            Issue.record("a closed port answered")
        } catch {
            #expect(error == .connectionRefused)
            #expect(!error.description.contains("secret"))
        }
    }
}
