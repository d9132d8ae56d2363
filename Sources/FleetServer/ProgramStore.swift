import FleetCore
import FleetJSON
import FleetPostgres
import Foundation

/// Identifies an uploaded program (one name@version).
struct ProgramID: UUIDIdentifier {
    let rawValue: UUID
    init(rawValue: UUID) { self.rawValue = rawValue }
}

/// The `programs` table: SQL and JSON rendering.
enum ProgramStore {
    static let mediaType = "application/x-elf"

    static let columns: Query = """
        p.id, p.name, p.version, p.sha256, a.size, p.manifest, p.summary, p.signature, p.created_at, p.created_by
        """
    static let source: Query = "programs p JOIN artifacts a ON a.sha256 = p.sha256"

    /// A name: 1 to 100 characters of letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    static func checkName(_ name: String) throws {
        guard isToken(name, maximum: 100, extra: "._-") else {
            throw APIError.badRequest("form field 'name' must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }

    /// A version: 1 to 64 characters of letters, digits, `.`, `_`, `+` and `-`, starting with a letter or digit.
    static func checkVersion(_ version: String) throws {
        guard isToken(version, maximum: 64, extra: "._+-") else {
            throw APIError.badRequest("form field 'version' must be 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit")
        }
    }

    private static func isToken(_ text: String, maximum: Int, extra: String) -> Bool {
        let allowedExtra = Set(extra.utf8)
        let bytes = Array(text.utf8)
        guard (1...maximum).contains(bytes.count) else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            let alphanumeric = (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
            return alphanumeric || (index > 0 && allowedExtra.contains(byte))
        }
    }

    static func get(_ id: ProgramID, on connection: PostgresConnection) throws -> Row? {
        try connection.query("SELECT \(columns) FROM \(source) WHERE p.id = \(id.rawValue)").first
    }

    /// The API's program object.
    static func json(_ row: Row) throws -> JSON {
        let summary = try BPFObjectSummary(json: try JSON.parse(Array(try row.decode("summary", as: String.self).utf8)))
        let manifest = try row.decodeIfPresent("manifest", as: String.self).map { try JSON.parse(Array($0.utf8)) } ?? .null
        let signature = try row.decodeIfPresent("signature", as: String.self)
        let json = summary.json
        return [
            "id": .string(try row.decode("id", as: UUID.self).uuidString.lowercased()),
            "name": .string(try row.decode("name")),
            "version": .string(try row.decode("version")),
            "sha256": .string(try row.decode("sha256")),
            "size": .int(try row.decode("size", as: Int64.self)),
            "manifest": manifest,
            "programs": json["programs"] ?? [],
            "maps": json["maps"] ?? [],
            "signed": .bool(signature != nil),
            "signature": signature.json,
            "created_at": (try row.decode("created_at", as: Date.self)).json,
            "created_by": (try row.decodeIfPresent("created_by", as: String.self)).json,
        ]
    }

    /// A device that runs, or is about to run, the program, if any.
    ///
    /// Until executors report per-program status, the commands tell: a device counts while a `program.load` or
    /// `program.replace` of the program is pending (queued, delivered, running), or when, for one of the
    /// device's program instances (`payload.name`, which the server fills in for loads and replaces), the
    /// latest succeeded load, replace or unload is a load or replace of this program. So an unload of the
    /// instance, or a replace that moved it to another program, frees it. Decommissioned devices do not count.
    static func deviceRunning(_ id: ProgramID, on connection: PostgresConnection) throws -> DeviceID? {
        let key = id.description
        let row = try connection.query("""
            SELECT c.device_id FROM commands c JOIN devices d ON d.id = c.device_id
            WHERE d.status <> 'decommissioned' AND c.type IN ('program.load', 'program.replace')
              AND c.state IN ('queued', 'delivered', 'running') AND lower(c.payload->>'program_id') = \(key)
            UNION ALL
            SELECT latest.device_id FROM (
                SELECT DISTINCT ON (c.device_id, c.payload->>'name') c.device_id, c.type, lower(c.payload->>'program_id') AS program_id
                FROM commands c JOIN devices d ON d.id = c.device_id
                WHERE d.status <> 'decommissioned' AND c.state = 'succeeded'
                  AND c.type IN ('program.load', 'program.replace', 'program.unload') AND c.payload ? 'name'
                ORDER BY c.device_id, c.payload->>'name', c.finished_at DESC
            ) latest
            WHERE latest.type <> 'program.unload' AND latest.program_id = \(key)
            LIMIT 1
            """).first
        return try row.map { DeviceID(rawValue: try $0.decode("device_id", as: UUID.self)) }
    }
}
