import Foundation
import FleetCore

/// One day's partition of the `telemetry` table: `telemetry_YYYYMMDD`, holding `[day 00:00Z, next day 00:00Z)`.
///
/// Its name and bounds are the only SQL text the telemetry code splices in with `unsafeSQL:` (DDL takes no
/// parameters); both are generated here from an integer day number, never from request text.
struct TelemetryPartition: Hashable, Comparable, Sendable {
    static let secondsPerDay: Int64 = 86_400
    static let namePrefix = "telemetry_"

    /// Days since 1970-01-01 (UTC).
    let day: Int64

    init(day: Int64) { self.day = day }

    /// The partition holding `date`.
    init(containing date: Date) {
        day = Int64((date.timeIntervalSince1970 / Double(Self.secondsPerDay)).rounded(.down))
    }

    /// Parses a name this type generates; nil for anything else (other tables, hand-made partitions).
    init?(name: String) {
        guard name.hasPrefix(Self.namePrefix) else { return nil }
        let digits = name.dropFirst(Self.namePrefix.count)
        guard digits.count == 8, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let date = Timestamp.parse("\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))T00:00:00Z")
        else { return nil }
        self.init(containing: date)
        guard self.name == name else { return nil }
    }

    var start: Date { Date(timeIntervalSince1970: Double(day * Self.secondsPerDay)) }
    var end: Date { Date(timeIntervalSince1970: Double((day + 1) * Self.secondsPerDay)) }

    /// `YYYY-MM-DD` of the first day; only years 1000 to 9999 make a well-formed name.
    private static func isoDay(_ date: Date) -> String { String(Timestamp.format(date).prefix(10)) }

    /// `telemetry_20261129`.
    var name: String { Self.namePrefix + Self.isoDay(start).replacingOccurrences(of: "-", with: "") }

    /// Whether the name and bounds are exactly the generated shape, so they are safe to splice into DDL.
    var isSpliceable: Bool {
        let suffix = name.dropFirst(Self.namePrefix.count)
        return suffix.count == 8 && suffix.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `CREATE TABLE IF NOT EXISTS telemetry_YYYYMMDD PARTITION OF telemetry FOR VALUES FROM (...) TO (...)`.
    var createStatement: String {
        precondition(isSpliceable, "partition day \(day) is outside the years 1000 to 9999")
        return "CREATE TABLE IF NOT EXISTS \(name) PARTITION OF telemetry "
            + "FOR VALUES FROM ('\(Self.isoDay(start)) 00:00:00+00') TO ('\(Self.isoDay(end)) 00:00:00+00')"
    }

    var dropStatement: String {
        precondition(isSpliceable, "partition day \(day) is outside the years 1000 to 9999")
        return "DROP TABLE IF EXISTS \(name)"
    }

    /// Whether every point this partition can hold is older than `cutoff`.
    func isEntirelyBefore(_ cutoff: Date) -> Bool { end <= cutoff }

    static func < (lhs: TelemetryPartition, rhs: TelemetryPartition) -> Bool { lhs.day < rhs.day }
}
