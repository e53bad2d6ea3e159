import Foundation

/// Parses the Prometheus text exposition format (version 0.0.4) strictly enough to fail on malformed lines.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    var samples: [Sample] = []

    init(_ response: TestResponse) throws {
        guard response.status == 200, response.header("Content-Type")?.hasPrefix("text/plain") == true else {
            throw Malformed(description: "not a text/plain 200: \(response.status)")
        }
        for line in response.text.split(separator: "\n") where !line.isEmpty {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
            samples.append(try Self.sample(String(line)))
        }
    }

    /// `name{a="x",b="y"} value`.
    private static func sample(_ line: String) throws -> Sample {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw Malformed(description: "no value: \(line)")
        }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
        guard series.hasSuffix("}") else { throw Malformed(description: "unclosed labels: \(line)") }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)..<series.index(before: series.endIndex)]
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "="), rest[rest.index(after: equals)] == "\"" else {
                throw Malformed(description: "bad label in \(line)")
            }
            let name = String(rest[..<equals])
            var index = rest.index(equals, offsetBy: 2)
            var labelValue = ""
            while rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                labelValue.append(rest[index])
                index = rest.index(after: index)
            }
            labels[name] = labelValue
            rest = rest[rest.index(after: index)...]
            if rest.hasPrefix(",") { rest = rest.dropFirst() }
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }

    /// The value of the series with exactly these labels (a subset match is not enough for counters).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}
