// libFuzzer entry point for the configuration loader, compiled by scripts/fuzz.sh into one module with
// Sources/ScanRelayApp/Configuration (ScanCore built as its own instrumented module; Yams and swift-log built once,
// uninstrumented, by SwiftPM from the package's own pins).
//
// The first byte picks the situation, the rest is the file body:
//   bit 0: the body as YAML (any bytes), or as JSON (only bodies Foundation parses as JSON reach the loader, so
//          mutations that stay JSON are explored as such);
//   bit 1: SCANRELAY_* overrides set in the environment as well;
//   bit 2: a `--listen` option given.
// `${ENV}` references see a fixed small environment and `...File` keys a fixed set of fake files: nothing is read
// from the disk or the network. The loader may accept or refuse anything, but must never trap, hang or run out of
// memory, and every problem it reports must say what is wrong, on a line of the file.
// Echoed secrets are not checked here: a variable interpolated into a non-secret key (a URL, a name) is
// legitimately quoted back, and which keys hold secrets is the loader's knowledge (its unit tests cover them).
import Foundation

private let baseEnvironment = [
    "TOKEN": "fuzz-token-0d1e2a",
    "PORT": "8080",
    "HOST": "127.0.0.1",
    "EMPTY": "",
    "LIST": "read,write",
]

private let overrides = [
    "SCANRELAY_LISTEN": "0.0.0.0:9090",
    "SCANRELAY_LOG_LEVEL": "debug",
    "SCANRELAY_LOG_FORMAT": "json",
    "SCANRELAY_ALLOW_ANONYMOUS": "true",
    "SCANRELAY_API_TOKENS": "fuzz-token-0d1e2a:read+write",
]

/// The files `...File` keys may name; every other path is missing. Built per call, not held in a global: LeakSanitizer
/// does not see the pointers a global's `Data` hides in spare bits, and libFuzzer would report them as a leak.
@Sendable private func readFakeFile(_ path: String) -> Result<Data, UnreadableFile> {
    switch path {
    case "/run/secrets/token": .success(Data("fuzz-file-secret\n".utf8))
    case "/run/secrets/empty": .success(Data())
    case "/run/secrets/newlines": .success(Data("\r\n\n".utf8))
    case "/run/secrets/binary": .success(Data([0xFF, 0xFE, 0x00, 0xC3]))
    case "/run/secrets/large": .success(Data(repeating: UInt8(ascii: "a"), count: ConfigurationReader.maxSecretFileBytes + 1))
    default: .failure(UnreadableFile(reason: "no such file"))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigurationLoader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let mode = data[0]
    let body = Data(bytes: data + 1, count: size - 1)
    let asJSON = mode & 1 == 1
    if asJSON, (try? JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed)) == nil { return 0 }

    var environment = baseEnvironment
    if mode & 2 != 0 { environment.merge(overrides) { $1 } }
    var loader = ConfigurationLoader(environment: environment)
    loader.readSecretFile = readFakeFile
    let file = asJSON ? "fuzz.json" : "fuzz.yaml"
    let text = String(decoding: body, as: UTF8.self)
    do {
        _ = try loader.load(yaml: text, file: file, listen: mode & 4 != 0 ? "[::1]:8443" : nil)
    } catch {
        require(!error.problems.isEmpty, "a refusal must say why")
        let lines = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        for problem in error.problems {
            require(!problem.message.isEmpty, "a problem must say what is wrong")
            if case .file(let name, let line?) = problem.origin {
                require(name == file, "problem in another file")
                require(line >= 1 && line <= lines + 1, "line \(line) outside the file (\(lines) lines)")
            }
        }
    }
    return 0
}

/// `precondition` that names the broken rule in optimized builds too (their `precondition` drops the message).
private func require(_ condition: Bool, _ rule: @autoclosure () -> String) {
    if !condition { fatalError(rule()) }
}
