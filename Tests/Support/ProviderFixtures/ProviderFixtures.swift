import Foundation

/// The upstream payloads every test target shares (webhooks and API answers shaped exactly like the scanners'
/// documents, and Harbor's real deliveries byte for byte), as this target's resources — not read across targets by
/// repository path.
public enum ProviderFixtures {
    /// Every fixture's name, without `.json`.
    public static var names: [String] {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
            let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The fixture's bytes, exactly as stored.
    public static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw Missing(name: name)
        }
        return Array(try Data(contentsOf: url))
    }

    public struct Missing: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "no fixture named \(name).json in Tests/Support/ProviderFixtures/Fixtures" }
    }
}
