/// The names telemetry uses, checked alike by the server's ingest and queries, the program registry and
/// the executor.
public enum MetricName {
    /// The longest metric name the server stores.
    public static let maximumLength = 200
    /// The longest metric name a program manifest may give: the executor appends suffixes such as
    /// `_dropped_total` to it.
    public static let maximumManifestLength = 180

    /// Prometheus metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`, at most `maximumLength` bytes.
    public static func isValid(_ name: String, maximumLength: Int = maximumLength) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength else { return false }
        let colon = UInt8(ascii: ":")
        return (isWordStart(first) || first == colon) && bytes.allSatisfy { isWord($0) || $0 == colon }
    }

    /// Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*`, at most 63 bytes, not starting with `__`.
    public static func isValidLabelName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63, !name.hasPrefix("__") else { return false }
        return isWordStart(first) && bytes.allSatisfy(isWord)
    }

    /// Names of the fields of a map value, exported as the `field` label: 1 to 63 of `A-Z a-z 0-9 _ - .`.
    public static func isValidFieldName(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count)
            && name.utf8.allSatisfy { isWord($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// `[a-zA-Z_]`
    private static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == UInt8(ascii: "_")
    }

    /// `[a-zA-Z0-9_]`
    private static func isWord(_ byte: UInt8) -> Bool { isWordStart(byte) || (byte >= 48 && byte <= 57) }
}
