import ChildProcesses
import Foundation

/// A CA made for one test run with the openssl command line, and certificates it signed: a server certificate for
/// 127.0.0.1/localhost and a client certificate (CN scanrelay-client). Removed with the value.
public final class TestPKI: Sendable {
    public let directory: String

    public var caFile: String { directory + "/ca.pem" }
    public var serverCert: String { directory + "/server.pem" }
    public var serverKey: String { directory + "/server.key" }
    public var clientCert: String { directory + "/client.pem" }
    public var clientKey: String { directory + "/client.key" }
    /// A second CA that signed nothing here: trusting it alone must not let the server through.
    public var otherCAFile: String { directory + "/other-ca.pem" }

    public init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scanrelay-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await makeCA("ca", "ScanRelay Test CA")
        try await makeCA("other-ca", "Some Other CA")
        try await makeLeaf("server", "localhost", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try await makeLeaf("client", "scanrelay-client", extensions: "extendedKeyUsage=clientAuth\n")
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    private func makeCA(_ name: String, _ commonName: String) async throws {
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2",
            "-subj", "/CN=\(commonName)", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    private func makeLeaf(_ name: String, _ commonName: String, extensions: String) async throws {
        let path = "\(directory)/\(name)"
        try extensions.write(toFile: "\(path).ext", atomically: true, encoding: .utf8)
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(path).key", "-out", "\(path).csr", "-subj", "/CN=\(commonName)",
        ])
        try await openssl([
            "x509", "-req", "-in", "\(path).csr", "-CA", caFile, "-CAkey", "\(directory)/ca.key", "-set_serial",
            String(Int.random(in: 1000...1_000_000)), "-days", "2", "-out", "\(path).pem", "-extfile", "\(path).ext",
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await ChildProcess.run("openssl", arguments)
        guard result.status == 0 else {
            throw UpstreamServer.ServerFailure(description: "openssl \(arguments[0]) failed: \(result.stderr)")
        }
    }
}
