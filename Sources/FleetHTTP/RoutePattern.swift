/// Parsing of route patterns and request paths into segments for `Router`.
enum RoutePattern {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// Splits a pattern; `{name}` becomes a parameter, anything else a literal.
    static func segments(of pattern: String) -> [Segment] {
        split(pattern).map { piece in
            if piece.count > 2, piece.hasPrefix("{"), piece.hasSuffix("}") {
                return .parameter(String(piece.dropFirst().dropLast()))
            }
            return .literal(piece)
        }
    }

    /// Splits a raw path and percent-decodes each segment; nil if a segment is not valid percent-encoded UTF-8.
    static func decodedSegments(of path: String) -> [String]? {
        var decoded: [String] = []
        for piece in split(path) {
            guard let segment = percentDecoded(piece) else { return nil }
            decoded.append(segment)
        }
        return decoded
    }

    /// "/a/b/" and "/a/b" give ["a", "b"]; "/" and "" give []. Inner empty segments are kept.
    private static func split(_ path: String) -> [String] {
        var pieces = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if pieces.first == "" { pieces.removeFirst() }
        if pieces.last == "" { pieces.removeLast() }
        return pieces
    }

    static func percentDecoded(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension [RoutePattern.Segment] {
    /// Parameter values if `path` fits this pattern; parameters never match an empty segment.
    func bind(_ path: [String]) -> [String: String]? {
        guard count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, value) in zip(self, path) {
            switch segment {
            case .literal(let literal):
                guard literal == value else { return nil }
            case .parameter(let name):
                guard !value.isEmpty else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }

    /// True if, at the first position where one has a literal and the other a parameter, this one has the literal.
    func isMoreSpecific(than other: [RoutePattern.Segment]) -> Bool {
        for (mine, theirs) in zip(self, other) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }

    /// Same literals in the same places and parameters in the same places (names may differ).
    func sameShape(as other: [RoutePattern.Segment]) -> Bool {
        guard count == other.count else { return false }
        return zip(self, other).allSatisfy { mine, theirs in
            switch (mine, theirs) {
            case (.literal(let a), .literal(let b)): a == b
            case (.parameter, .parameter): true
            default: false
            }
        }
    }
}
