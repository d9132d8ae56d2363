import FoundationEssentials
import Glibc
import FleetCore

/// Points in time as people type them: an RFC 3339 timestamp (`2026-11-29T07:00:00Z`), `now`, or a
/// duration before now (`10m`, `now-10m`).
public enum TimeText {
    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let text: String
        public var description: String {
            "invalid time '\(text)': use an RFC 3339 timestamp such as 2026-11-29T07:00:00Z, now, or a duration ago such as 10m or now-2h"
        }
    }

    public static func parse(_ text: String, now: Date) throws -> Date {
        let trimmed = text.trimmed
        if trimmed == "now" { return now }
        if let date = Timestamp.parse(trimmed) { return date }
        let ago = trimmed.hasPrefix("now-") ? String(trimmed.dropFirst(4)) : trimmed
        guard let duration = try? DurationText.parse(ago) else { throw ParseError(text: text) }
        let (seconds, attoseconds) = duration.components
        return now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
    }
}
