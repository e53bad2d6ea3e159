// CPU and RSS of a process holding N active watches polling a fake Binarly (run by scripts/bench/polling-watches.sh).
//   PollingBench fake N                    — serves N never-ending scans, prints the base URL, runs until killed.
//   PollingBench poll N BASE SECONDS [idle] — holds N watches against BASE for SECONDS, then prints one line.
// The poller runs the product's defaults except: first poll after 1 s, intervals 1 s growing to 10 s.
import FakeUpstreams
import Foundation
import Logging
import Polling
import Providers
import ScanCore

func rssKiB(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
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

let args = CommandLine.arguments
let count = Int(args[2])!
switch args[1] {
case "fake":
    let fake = FakeBinarly(auth: .bearer("bench"))
    for index in 0..<count {
        fake.addScan(productId: "p", imageId: "i\(index)", scanId: "s\(index)", FakeScan(runningPolls: .max))
    }
    let base = try await fake.start()
    FileHandle.standardOutput.write(Data((base.absoluteString + "\n").utf8))
    while true { try await Task.sleep(for: .seconds(3600)) }
default:
    let base = URL(string: args[3])!
    let seconds = Double(args[4])!
    var policy = PollPolicy()
    // A fifth argument `idle` puts the first poll an hour out: the cost of holding watches alone.
    let firstPoll: Duration = args.count > 5 && args[5] == "idle" ? .seconds(3600) : .seconds(1)
    let first = PollPolicy.Span(min: firstPoll, max: firstPoll)
    policy.expectedDuration = [.init(below: nil, expected: first)]
    policy.unknownSize = first
    policy.interval = .init(min: .seconds(1), max: .seconds(10))
    let store = ScanStore()
    let counter = Counter()
    let client = BinarlyClient(source: "binarly", configuration: .init(baseURL: base, auth: .bearer("bench")),
                               maxConnections: policy.concurrencyPerSource)
    let scheduler = WatchScheduler(policy: policy, sources: ["binarly": .init(provider: .binarly, client: client)],
                                   sink: { update in _ = store.apply(update); counter.add() })
    // `run()` polls until its task is cancelled, then waits for the polls it started.
    let running = Task { await scheduler.run() }
    let rssBefore = rssKiB("VmRSS:"), cpuBefore = cpuSeconds()
    for index in 0..<count {
        _ = try await scheduler.add(WatchRequest(source: "binarly", ref: .binarly(productId: "p", imageId: "i\(index)", scanId: "s\(index)")))
    }
    let start = Date()
    try await Task.sleep(for: .seconds(seconds))
    let elapsed = Date().timeIntervalSince(start)
    let states = await scheduler.countsByState()
    let errors = await scheduler.list(limit: 1000)!.watches.filter { $0.lastError != nil }.count
    print("watches=\(count) seconds=\(Int(elapsed)) polls=\(counter.value) polls/s=\(Int(Double(counter.value) / elapsed))"
        + " cpu_s=\(String(format: "%.1f", cpuSeconds() - cpuBefore)) cpu%=\(Int((cpuSeconds() - cpuBefore) / elapsed * 100))"
        + " rss_start_MiB=\(rssBefore / 1024) rss_end_MiB=\(rssKiB("VmRSS:") / 1024) rss_peak_MiB=\(rssKiB("VmHWM:") / 1024)"
        + " states=\(states.map { "\($0.key.rawValue):\($0.value)" }.sorted()) errors_in_first_1000=\(errors)")
    running.cancel()
    await running.value
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
