// The ScanCore cache under load: RSS with N realistic scans, and the CPU cost of inserts, lookups, encoding and
// listing. Built and run by cache-memory.sh against Sources/ScanCore and the three small modules it imports. Times
// are this thread's CPU time, so a busy machine does not inflate them (much); RSS comes from /proc/self/status.
import Foundation
import Glibc
import ScanCore

func residentMiB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
}

/// CPU time of `body` on this thread, per repetition.
func cpuTime(_ repetitions: Int, _ body: () throws -> Void) rethrows -> String {
    func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    let start = now()
    for _ in 0..<repetitions { try body() }
    let each = (now() - start) / Double(repetitions)
    return each >= 1e-3 ? String(format: "%.2f ms", each * 1e3) : String(format: "%.2f µs", each * 1e6)
}

/// A ULID-shaped id (26 characters, Crockford base 32), distinct per `n` and `kind`.
func ulid(_ n: Int, kind: Character) -> String {
    let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    var bits = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
    var id = "01J" + String(kind)
    while id.count < 26 {
        id.append(alphabet[Int(bits & 31)])
        bits = bits >> 5 | bits << 59
    }
    return id
}

func digest(_ n: Int) -> String {
    var bits = UInt64(n) &+ 0x1234_5678
    var hex = "sha256:"
    for _ in 0..<4 {
        bits = bits &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        hex += String(repeating: "0", count: 16 - String(bits, radix: 16).count) + String(bits, radix: 16)
    }
    return hex
}

let arguments = CommandLine.arguments.dropFirst()
let count = arguments.first.flatMap { Int($0) } ?? 1_000_000
let keepRaw = !arguments.contains("--no-raw")
let epoch = Date(timeIntervalSince1970: 1_790_000_000)

/// A Binarly scan: product, image (two scans each), digest, size; 10 % still running, the rest done with findings.
func update(_ n: Int) -> ScanUpdate {
    let scanId = ulid(n, kind: "S"), imageId = ulid(n / 2, kind: "I"), productId = ulid(n / 20, kind: "P")
    let running = n % 10 == 0
    let raw = keepRaw ? Array("""
        {"id":"\(scanId)","productId":"\(productId)","imageId":"\(imageId)","latestScanState":{"type":"\(running ? "running" : "done")","updateTime":"2026-11-23T10:02:00Z"},"author":"ci@example.com","findingsBySeverity":{"critical":0,"high":\(n % 3),"medium":5,"low":1,"total":\(6 + n % 3)}}
        """.utf8) : []
    return ScanUpdate(
        source: "binarly", provider: .binarly, upstreamId: scanId,
        subject: ScanSubject(imageId: imageId, productId: productId, digest: digest(n), imageSizeBytes: 104_857_600),
        status: running ? .running : .completed, upstreamStatus: running ? "running" : "done",
        upstreamCreatedAt: epoch.addingTimeInterval(Double(n)),
        upstreamUpdatedAt: epoch.addingTimeInterval(Double(n) + 600),
        completedAt: running ? nil : epoch.addingTimeInterval(Double(n) + 600),
        findings: running ? nil : Findings(high: n % 3, medium: 5, low: 1), via: .poll, raw: raw
    )
}

let baseline = residentMiB()
let store = ScanStore(configuration: .init(maxScans: count))

/// Applies the scans numbered `range`, made in batches outside the timed part (making them is not the store's
/// cost, and holding them all would inflate RSS). Returns the CPU seconds spent in `apply`.
func insert(_ range: Range<Int>, now: Date) -> Double {
    func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
    var seconds = 0.0
    for batch in stride(from: range.lowerBound, to: range.upperBound, by: 10_000) {
        let updates = (batch..<min(range.upperBound, batch + 10_000)).map(update)
        let start = cpuSeconds()
        for update in updates { _ = store.apply(update, now: now) }
        seconds += cpuSeconds() - start
    }
    return seconds
}

let insertSeconds = insert(0..<count, now: epoch.addingTimeInterval(700))
let filled = residentMiB()

let sampleIds = (0..<10_000).map { Scan.id(source: "binarly", upstreamId: ulid($0 * (count / 10_000), kind: "S")) }
let sample = store.scan(id: sampleIds[7])!
var lookupIndex = 0
func row(_ what: String, _ value: String) { print(what.padding(toLength: 56, withPad: " ", startingAt: 0) + value) }

row("scans cached", "\(store.count) (raw kept: \(keepRaw), \(sample.raw.count) bytes each)")
row("RSS before / after filling", String(format: "%.0f MiB / %.0f MiB", baseline, filled))
row("insert (apply of a new scan), CPU per scan", String(format: "%.2f µs", insertSeconds / Double(count) * 1e6))
row("lookup by id (scan(id:)), CPU", cpuTime(200_000) {
    lookupIndex = (lookupIndex + 1) % sampleIds.count
    _ = store.scan(id: sampleIds[lookupIndex])
})
row("ScanJSON.encode (\(ScanJSON.encode(sample).count) bytes), CPU", cpuTime(200_000) { _ = ScanJSON.encode(sample) })
let encoder = JSONEncoder()
row("JSONEncoder, same scan, CPU", try cpuTime(20_000) { _ = try encoder.encode(sample) })
row("update of a cached scan (merge + event), CPU", cpuTime(100_000) {
    lookupIndex = (lookupIndex + 1) % sampleIds.count
    var next = update(lookupIndex * (count / 10_000))
    next.upstreamUpdatedAt = epoch.addingTimeInterval(Double(10_000 + lookupIndex))
    _ = store.apply(next, now: epoch.addingTimeInterval(800))
})
var token: String?
row("list, page of 100, following tokens, CPU", try cpuTime(1000) {
    token = try store.list(ScanQuery(limit: 100, pageToken: token)).nextPageToken
})
row("list, page of 1000, CPU", try cpuTime(100) { _ = try store.list(ScanQuery(limit: 1000)) })
row("list, filter matching nothing (one walk budget), CPU", try cpuTime(20) {
    _ = try store.list(ScanQuery(source: "none", limit: 100))
})
row("scans of one image, CPU", cpuTime(100_000) { _ = store.scans(imageId: sample.subject.imageId) })
let churnSeconds = insert(count..<(count + 100_000), now: epoch.addingTimeInterval(900))
row("insert at capacity (evicts the oldest terminal), CPU", String(format: "%.2f µs", churnSeconds / 1e5 * 1e6))
row("RSS at the end", String(format: "%.0f MiB (%d scans)", residentMiB(), store.count))
