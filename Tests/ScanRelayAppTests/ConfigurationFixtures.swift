import Foundation
@testable import ScanRelayApp

/// Shared inputs of the configuration tests.
enum ConfigurationFixtures {
    static let webhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    /// The variables the PRODUCT.md example and `examples/scanrelay.yaml` refer to.
    static let environment: [String: String] = [
        "SCANRELAY_READ_TOKEN": "read-token-0123456789",
        "BINARLY_TOKEN": "binarly-token",
        "BINARLY_WEBHOOK_SECRET": webhookSecret,
        "YC_IAM_TOKEN": "iam-token",
        "OPSMX_TOKEN": "opsmx-token",
        "OPSMX_WEBHOOK_SECRET": "opsmx-hmac-secret",
        "HARBOR_AUTH_HEADER": "Basic aGFyYm9yOnNlY3JldA==",
    ]

    /// A directory removed when the value is released; for `...File` keys and configuration files.
    final class TemporaryDirectory {
        let url: URL

        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("scanrelay-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        /// Writes `contents` to `name` and returns its path.
        func write(_ name: String, _ contents: String) throws -> String {
            let file = url.appendingPathComponent(name)
            try contents.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
    }

    /// The problems `yaml` has, as `check-config` prints them (file name `test.yaml`); empty when it is valid.
    static func problems(_ yaml: String, environment: [String: String] = [:], listen: String? = nil) -> [String] {
        do {
            _ = try ConfigurationLoader(environment: environment).load(yaml: yaml, file: "test.yaml", listen: listen)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }
}
