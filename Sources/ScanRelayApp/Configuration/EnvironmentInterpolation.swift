/// Replaces `${NAME}` in configuration strings with the value of the environment variable `NAME`.
///
/// A reference may sit inside a longer string (`"Bearer ${OPSMX_TOKEN}"`). `$${` writes a literal `${`. An unset
/// variable is an error, never an empty string: a secret that silently became "" would disable a check.
public enum EnvironmentInterpolation {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unset(variables: [String])
        case unterminated
        case invalidName(String)

        public var description: String {
            switch self {
            case .unset(let names):
                let list = names.map { "$\($0)" }.joined(separator: ", ")
                return "environment variable \(list) \(names.count == 1 ? "is" : "are") not set; export \(names.count == 1 ? "it" : "them") or write the value here"
            case .unterminated:
                return "\"${\" without a closing \"}\"; write ${NAME}, or $${ for a literal ${"
            case .invalidName(let name):
                return "\"${\(name)}\" is not a variable name; names are letters, digits and _, not starting with a digit"
            }
        }
    }

    /// `text` with every `${NAME}` replaced; all unset variables of the string are named in one failure.
    public static func expand(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var unset: [String] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let afterDollar = rest[rest.index(after: dollar)...]
            if afterDollar.hasPrefix("${") {  // `$${` escapes a literal `${`
                result += "${"
                rest = afterDollar.dropFirst(2)
            } else if afterDollar.hasPrefix("{") {
                guard let close = afterDollar.firstIndex(of: "}") else { throw .unterminated }
                let name = String(afterDollar[afterDollar.index(after: afterDollar.startIndex)..<close])
                guard isVariableName(name) else { throw .invalidName(name) }
                if let value = environment[name] { result += value } else { unset.append(name) }
                rest = afterDollar[afterDollar.index(after: close)...]
            } else {
                result += "$"
                rest = afterDollar
            }
        }
        result += rest
        guard unset.isEmpty else { throw .unset(variables: unset) }
        return result
    }

    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}
