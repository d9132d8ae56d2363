import Glibc
import FleetCore

/// Durations as people type them: `30s`, `10m`, `24h`, `7d`, `1h30m`, `500ms`; a bare number is seconds.
public enum DurationText {
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let text: String
        public let reason: String
        public var description: String { "invalid duration '\(text)': \(reason)" }
    }

    /// Parses a positive duration.
    public static func parse(_ text: String) throws -> Duration {
        let fail = { (reason: String) in ParseError(text: text, reason: reason) }
        let trimmed = text.trimmed
        guard !trimmed.isEmpty else { throw fail("empty; use e.g. 30s, 10m, 24h or 7d") }
        if let seconds = Int64(trimmed) {
            guard seconds > 0 else { throw fail("must be positive") }
            return .seconds(seconds)
        }
        var total = Duration.zero
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let digitsEnd = trimmed[index...].firstIndex { !$0.isASCII || !$0.isNumber } ?? trimmed.endIndex
            guard digitsEnd > index, let value = Int64(trimmed[index..<digitsEnd]) else {
                throw fail("expected a number at '\(trimmed[index...])'")
            }
            let unitEnd = trimmed[digitsEnd...].firstIndex { $0.isASCII && $0.isNumber } ?? trimmed.endIndex
            let unit = trimmed[digitsEnd..<unitEnd]
            let scale: Int64
            switch unit {
            case "ms": total += .milliseconds(value); index = unitEnd; continue
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86400
            case "": throw fail("missing unit after \(value); use ms, s, m, h or d")
            default: throw fail("unknown unit '\(unit)'; use ms, s, m, h or d")
            }
            let (seconds, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow, seconds < 100 * 365 * 86400 else { throw fail("too long") }
            total += .seconds(seconds)
            index = unitEnd
        }
        guard total > .zero else { throw fail("must be positive") }
        return total
    }

    /// Parses a duration that must be a whole number of seconds, as the API's `*_seconds` fields need.
    public static func parseSeconds(_ text: String) throws -> Int {
        let duration = try parse(text)
        let (seconds, attoseconds) = duration.components
        guard attoseconds == 0 else { throw ParseError(text: text, reason: "must be a whole number of seconds") }
        return Int(seconds)
    }

    /// `1h30m`, `45s`, `250ms`: the shortest exact text.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = attoseconds / 1_000_000_000_000_000
        if seconds == 0 { return "\(millis)ms" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        if rest > 0 || out.isEmpty { out += "\(rest)s" }
        if millis > 0 { out += "\(millis)ms" }
        return out
    }
}
