/// Policy names: 1 to 63 lower-case letters, digits and `-`, starting and ending with a letter or digit, so that
/// they read well in URLs, YAML and audit entries.
public enum PolicyName {
    public static let maximumLength = 63

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...maximumLength).contains(bytes.count) else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (97...122).contains(byte) }
        return alphanumeric(bytes.first!) && alphanumeric(bytes.last!) && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") }
    }
}
