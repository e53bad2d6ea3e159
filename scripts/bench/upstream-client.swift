// CPU time and RSS per upstream request of the product's upstream client (run by scripts/bench/upstream-client.sh).
//   UpstreamClientBench fake                              — a fake Binarly on loopback; prints its base URL, runs until killed.
//   UpstreamClientBench client BASE REQUESTS CONCURRENCY  — BinarlyClient polls (one GET each) against BASE; one line.
// The client side is the product's own: `BinarlyClient` over whatever transport the built sources have (URLSession
// before issue 16, libcurl after). CPU is getrusage(RUSAGE_SELF), so the fake upstream's work is not counted.
import FakeUpstreams
import Foundation
import Logging
import Providers
import ScanCore

func rssKiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

let scans = 64
let args = CommandLine.arguments
switch args[1] {
case "fake":
    let fake = FakeBinarly(auth: .bearer("bench"))
    for index in 0..<scans {
        _ = fake.addScan(productId: "p", imageId: "i\(index)", scanId: "s\(index)", FakeScan(runningPolls: .max))
    }
    let base = try await fake.start()
    FileHandle.standardOutput.write(Data((base.absoluteString + "\n").utf8))
    while true { try await Task.sleep(for: .seconds(3600)) }
default:
    let base = URL(string: args[2])!
    let requests = Int(args[3])!
    let concurrency = Int(args[4])!
    let client = BinarlyClient(source: "binarly", configuration: .init(baseURL: base, auth: .bearer("bench")),
                               maxConnections: concurrency)
    /// `count` polls, `concurrency` at a time; returns how many failed.
    func run(_ count: Int) async -> Int {
        await withTaskGroup(of: Int.self) { group in
            var failures = 0, next = 0
            func add() {
                let index = next % scans
                next += 1
                group.addTask {
                    let ref = ScanRef.binarly(productId: "p", imageId: "i\(index)", scanId: "s\(index)")
                    do { _ = try await client.poll(ref, scanStartedAt: Date()); return 0 } catch { return 1 }
                }
            }
            for _ in 0..<min(concurrency, count) { add() }
            while let failed = await group.next() {
                failures += failed
                if next < count { add() }
            }
            return failures
        }
    }
    // Warm-up: connections, caches, allocator arenas. Growth is measured from here.
    let warmup = max(2_000, requests / 10)
    var failures = await run(warmup)
    let rssStart = rssKiB(), cpuStart = cpuSeconds(), start = Date()
    failures += await run(requests)
    let cpu = cpuSeconds() - cpuStart, elapsed = Date().timeIntervalSince(start), rssEnd = rssKiB()
    print("requests=\(requests) concurrency=\(concurrency) failures=\(failures)"
        + " wall_s=\(String(format: "%.1f", elapsed)) cpu_s=\(String(format: "%.2f", cpu))"
        + " cpu_ms_per_1000=\(Int(cpu / Double(requests) * 1000 * 1000))"
        + " rss_after_warmup_KiB=\(rssStart) rss_end_KiB=\(rssEnd)"
        + " rss_B_per_request=\(String(format: "%.1f", Double(rssEnd - rssStart) * 1024 / Double(requests)))")
}
