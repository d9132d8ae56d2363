/// A single `Range: bytes=...` request (RFC 9110 section 14) resolved against a representation's length.
enum ByteRange: Equatable {
    /// Send the whole representation (no Range, a malformed one, or several ranges, which a server may ignore).
    case whole
    /// Send `first...last` (inclusive) with 206.
    case partial(first: UInt64, last: UInt64)
    /// 416: no byte of the range exists.
    case unsatisfiable

    /// Interprets the `Range` header for a representation of `length` bytes.
    init(header: String?, length: UInt64) {
        guard let header else { self = .whole; return }
        let text = header.trimmingASCIIWhitespace
        guard text.lowercased().hasPrefix("bytes=") else { self = .whole; return }
        let spec = text.dropFirst("bytes=".count).trimmingASCIIWhitespace
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let start = spec[..<dash].trimmingASCIIWhitespace
        let end = spec[spec.index(after: dash)...].trimmingASCIIWhitespace
        guard start.allSatisfy(\.isASCIIDigit), end.allSatisfy(\.isASCIIDigit), !(start.isEmpty && end.isEmpty) else {
            self = .whole
            return
        }
        if start.isEmpty {
            // Suffix range: the last N bytes.
            guard let count = UInt64(end) else { self = .whole; return }
            guard count > 0, length > 0 else { self = .unsatisfiable; return }
            self = .partial(first: length - min(count, length), last: length - 1)
            return
        }
        guard let first = UInt64(start) else { self = .unsatisfiable; return }
        let last = end.isEmpty ? nil : UInt64(end)
        if !end.isEmpty && last == nil { self = .whole; return }
        if let last, last < first { self = .whole; return }
        guard first < length else { self = .unsatisfiable; return }
        self = .partial(first: first, last: min(last ?? length - 1, length - 1))
    }
}

/// Entity tags as `If-None-Match` and `If-Range` carry them.
enum EntityTag {
    /// Whether an `If-None-Match` value matches `tag` (weak comparison; `*` matches anything).
    static func noneMatch(_ header: String?, matches tag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { candidate in
            let value = candidate.trimmingASCIIWhitespace
            return value == "*" || strippingWeakness(value) == strippingWeakness(tag)
        }
    }

    /// Whether an `If-Range` value lets a Range apply: it must be this strong tag exactly.
    static func ifRange(_ header: String?, allows tag: String) -> Bool {
        guard let header else { return true }
        return header.trimmingASCIIWhitespace == tag
    }

    private static func strippingWeakness(_ tag: some StringProtocol) -> Substring {
        let text = Substring(tag)
        return text.hasPrefix("W/") ? text.dropFirst(2) : text
    }
}

extension StringProtocol {
    fileprivate var trimmingASCIIWhitespace: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
