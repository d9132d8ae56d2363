import FleetJSON

/// Label keys and values follow the Kubernetes rules: a key is an optional DNS-subdomain prefix and `/`
/// plus a name of up to 63 characters (alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric);
/// a value is empty or such a name.
public enum Labels {
    public static func isValidName(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 63 else { return false }
        let bytes = Array(text.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    public static func isValidKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isValidName(parts[0])
        case 2:
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.count <= 253 else { return false }
            let dnsOK = prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.utf8.allSatisfy {
                    ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == UInt8(ascii: "-")
                } && label.first != "-" && label.last != "-"
            }
            return dnsOK && isValidName(parts[1])
        default: return false
        }
    }

    public static func isValidValue(_ value: String) -> Bool {
        value.isEmpty || isValidName(Substring(value))
    }

    /// Reads a `{key: value}` object of strings, checking every key and value.
    public static func decode(_ json: JSON, path: String) throws -> [String: String] {
        let labels = try [String: String](json: json, path: path)
        try validate(labels, path: path)
        return labels
    }

    public static func validate(_ labels: [String: String], path: String) throws {
        for (key, value) in labels {
            guard isValidKey(key) else {
                throw JSONError(path: path, message: "invalid label key '\(key)': use up to 63 alphanumerics, '-', '_' or '.', optionally after a DNS prefix and '/'")
            }
            guard isValidValue(value) else {
                throw JSONError(path: "\(path).\(key)", message: "invalid label value '\(value)': use up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric")
            }
        }
    }
}
