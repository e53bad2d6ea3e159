import Foundation
import Testing
@testable import ScanRelayApp

@Suite("Health, readiness, metrics, request ids and the served spec")
struct OperationsTests {
    @Test func healthAndReadiness_AnswerWhileRunning() async throws {
        try await withRunningApp { app in
            let health = try await app.get("/healthz")
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            #expect(try await app.get("/readyz").json["status"] as? String == "ready")
        }
    }

    @Test func readiness_Is503_OnceShutdownBegins() async throws {
        try await withRunningApp { app in
            app.app.readiness.markShuttingDown()
            let response = try await app.get("/readyz")
            #expect(response.status == 503)
            #expect(response.header("Retry-After") != nil)
            #expect(response.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func requestId_IsEchoedWhenSane_AndMadeOtherwise() async throws {
        try await withRunningApp { app in
            let echoed = try await app.get("/healthz", headers: [("X-Request-Id", "ci-job-42.step_3")])
            #expect(echoed.header("X-Request-Id") == "ci-job-42.step_3")
            let made = try await app.get("/healthz")
            #expect(made.header("X-Request-Id")?.count == 32)
            let refused = try await app.get("/healthz", headers: [("X-Request-Id", "bad id with spaces")])
            #expect(refused.header("X-Request-Id") != "bad id with spaces")
            let tooLong = try await app.get("/healthz", headers: [("X-Request-Id", String(repeating: "a", count: 200))])
            #expect(tooLong.header("X-Request-Id")?.count == 32)
            let onErrors = try await app.get("/no/such/route", headers: [("X-Request-Id", "on-404")])
            #expect(onErrors.status == 404)
            #expect(onErrors.header("X-Request-Id") == "on-404")
        }
    }

    @Test func unknownRoutes_And405_AreProblems() async throws {
        try await withRunningApp { app in
            let missing = try await app.get("/v2/anything")
            #expect(missing.status == 404)
            #expect(missing.header("Content-Type") == "application/problem+json")
            let wrongMethod = try await app.request("DELETE", "/v1/scans")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "GET, HEAD")
        }
    }

    @Test func openAPI_IsServedAsTheRepositoryFile() async throws {
        try await withRunningApp { app in
            let response = try await app.get("/openapi.yaml")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/yaml")
            let repositoryFile = try Data(contentsOf: RepositoryFiles.url("openapi.yaml"))
            #expect(response.body == Array(repositoryFile))
        }
    }

    @Test func bundledSpec_IsByteForByteTheTopLevelFile() throws {
        let top = try Data(contentsOf: RepositoryFiles.url("openapi.yaml"))
        let resource = try Data(contentsOf: RepositoryFiles.url("Sources/ScanRelayApp/Resources/openapi.yaml"))
        #expect(top == resource, "copy openapi.yaml to Sources/ScanRelayApp/Resources/openapi.yaml")
    }

    @Test func metrics_AreParsablePrometheusText_WithCountersMoving() async throws {
        try await withRunningApp { app in
            app.seed(.make("a"))
            _ = try await app.get("/v1/scans/relay:a")
            _ = try await app.get("/v1/scans/relay:a")
            _ = try await app.get("/v1/scans/relay:missing")
            let first = try PrometheusText(try await app.get("/metrics"))
            let ok = ["route": "/v1/scans/{id}", "method": "GET", "status": "200"]
            #expect(first.value("scanrelay_http_requests_total", ok) == 2)
            #expect(first.value("scanrelay_http_requests_total", ["route": "/v1/scans/{id}", "method": "GET", "status": "404"]) == 1)
            #expect(first.value("scanrelay_cached_scans") == 1)
            #expect(first.value("scanrelay_http_request_duration_seconds_count", ["route": "/v1/scans/{id}", "method": "GET"]) == 3)
            #expect(first.value("scanrelay_open_connections", ["protocol": "http/1.1"]) != nil)
            #expect(first.samples.allSatisfy { !$0.labels.values.contains("/v1/scans/relay:a") })

            _ = try await app.get("/v1/scans/relay:a")
            let second = try PrometheusText(try await app.get("/metrics"))
            #expect(second.value("scanrelay_http_requests_total", ok) == 3)
        }
    }
}

/// Files of the repository, found from this source file's path.
enum RepositoryFiles {
    static func url(_ relativePath: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(relativePath)
    }
}
