import Foundation
import Yams

/// Reads the file a `...File` key names. A seam: the fuzzer gives fake files, so fuzzed paths never reach the disk.
typealias SecretFileReader = @Sendable (_ path: String) -> Result<Data, UnreadableFile>

/// Why a file cannot be read, in the words of `ls` ("no such file", "permission denied").
struct UnreadableFile: Error {
    let reason: String
}

/// Turns a composed YAML tree into typed values while collecting every problem, so one run of `check-config`
/// reports all of them instead of stopping at the first.
///
/// Every scalar goes through `${ENV}` interpolation before it is parsed, and every problem is tied to the line of
/// the node it is about (Yams keeps libyaml's marks).
final class ConfigurationReader {
    let file: String
    let environment: [String: String]
    let readSecretFile: SecretFileReader
    private(set) var problems: [ConfigurationProblem] = []

    /// Secret files larger than this are certainly a wrong path (a binary, a log), not a token.
    static let maxSecretFileBytes = 64 * 1024

    init(file: String, environment: [String: String], readSecretFile: @escaping SecretFileReader) {
        self.file = file
        self.environment = environment
        self.readSecretFile = readSecretFile
    }

    func report(_ message: String, at path: String, node: Node?) {
        report(message, at: path, line: node?.mark?.line)
    }

    func report(_ message: String, at path: String, line: Int?) {
        problems.append(ConfigurationProblem(origin: .file(file, line: line), path: path, message: message))
    }

    func report(_ problem: ConfigurationProblem) {
        problems.append(problem)
    }

    /// `node` as a mapping whose keys are checked when the caller is done with it; `nil` (reported) otherwise.
    func mapping(_ node: Node, path: String) -> ConfigMapping? {
        guard let mapping = node.mapping else {
            report("expected a mapping of keys to values, found \(Self.kind(of: node))", at: path, node: node)
            return nil
        }
        return ConfigMapping(reader: self, mapping: mapping, node: node, path: path)
    }

    /// `node` as a list; a single scalar is not promoted, so a forgotten `-` or `[...]` is reported.
    func sequence(_ node: Node, path: String) -> [Node]? {
        guard let sequence = node.sequence else {
            report("expected a list, found \(Self.kind(of: node))", at: path, node: node)
            return nil
        }
        return Array(sequence)
    }

    /// The scalar text of `node` after `${ENV}` interpolation; `nil` (reported) for lists, mappings and bad references.
    func text(_ node: Node, path: String) -> String? {
        guard let scalar = node.scalar else {
            report("expected a single value, found \(Self.kind(of: node))", at: path, node: node)
            return nil
        }
        do {
            return try EnvironmentInterpolation.expand(scalar.string, environment: environment)
        } catch {
            report(error.description, at: path, node: node)
            return nil
        }
    }

    /// The contents of the file named by a `...File` key, without the trailing newline editors and `echo` add.
    func fileContents(_ node: Node, path: String) -> String? {
        guard let name = text(node, path: path) else { return nil }
        guard !name.isEmpty else {
            report("is empty; give the path of a file holding the value", at: path, node: node)
            return nil
        }
        let data: Data
        switch readSecretFile(name) {
        case .success(let contents):
            data = contents
        case .failure(let unreadable):
            report("cannot read \(name) (\(unreadable.reason)); mount the file or fix the path", at: path, node: node)
            return nil
        }
        guard data.count <= Self.maxSecretFileBytes, var contents = String(data: data, encoding: .utf8) else {
            report("\(name) is not a text file of at most \(Self.maxSecretFileBytes) bytes", at: path, node: node)
            return nil
        }
        while contents.last?.isNewline == true { contents.removeLast() }  // "\r\n" is one Character
        guard !contents.isEmpty else {
            report("\(name) is empty; it should hold the value", at: path, node: node)
            return nil
        }
        return contents
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        // The value itself is not echoed: it may be a secret written where a mapping was expected.
        case .scalar(let scalar) where scalar.string.isEmpty && scalar.style == .plain: "nothing"
        case .scalar: "a single value"
        case .alias: "an alias"
        }
    }

    /// The real `SecretFileReader`.
    @Sendable static func readFromDisk(_ path: String) -> Result<Data, UnreadableFile> {
        do {
            return .success(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            return .failure(UnreadableFile(reason: whyUnreadable(path)))
        }
    }

    /// A short reason in the words of `ls`, rather than Foundation's long localized sentences.
    static func whyUnreadable(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "it is a directory" }
        return FileManager.default.isReadableFile(atPath: path) ? "read error" : "permission denied"
    }
}
