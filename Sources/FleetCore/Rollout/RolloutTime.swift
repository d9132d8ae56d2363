import FoundationEssentials
import FleetJSON

/// Times in a stored rollout are seconds since the Unix epoch as JSON numbers: a double written with its
/// shortest round-trip text reads back as the same double, so a state taken over by another replica compares
/// equal to the one that was saved (RFC 3339 text keeps microseconds and would not).
enum RolloutTime {
    static func json(_ date: Date) -> JSON { .double(date.timeIntervalSince1970) }

    static func json(_ date: Date?) -> JSON { date.map(json) ?? .null }

    static func date(_ json: JSON, path: String) throws -> Date {
        Date(timeIntervalSince1970: try Double(json: json, path: path))
    }

    static func require(_ key: String, in reader: inout JSONObjectReader) throws -> Date {
        try date(reader.require(key, as: JSON.self), path: JSONObjectReader.join(reader.path, key))
    }

    static func optional(_ key: String, in reader: inout JSONObjectReader) throws -> Date? {
        try reader.optional(key, as: JSON.self).map { try date($0, path: JSONObjectReader.join(reader.path, key)) }
    }
}
