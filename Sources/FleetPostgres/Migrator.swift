import Foundation

/// Loads migration files and applies the pending ones.
public enum Migrator {
    /// The `pg_advisory_lock` key that serialises migrating processes ("fleetmig").
    static let lockKey: Int64 = 0x666c_6565_746d_6967

    /// Parses `NNN_name.sql` files in `directory` into migrations sorted by version; other files are ignored.
    /// - Throws: `MigrationError` for a `.sql` file with a bad name, a duplicate version, or an unreadable file.
    public static func load(directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Int: Migration] = [:]
        for file in files.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"),
                  let version = Int(stem[..<underscore]), version >= 0,
                  stem[..<underscore].allSatisfy(\.isASCII),
                  !stem[stem.index(after: underscore)...].isEmpty
            else { throw MigrationError(file: file, reason: "name must look like NNN_name.sql") }
            if let existing = migrations[version] {
                throw MigrationError(file: file, reason: "version \(version) already used by \(existing.name)")
            }
            let sql: String
            do {
                sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            } catch {
                throw MigrationError(file: file, reason: "cannot read: \(error.localizedDescription)")
            }
            migrations[version] = Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }
        return migrations.values.sorted { $0.version < $1.version }
    }

    /// Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
    ///
    /// Holds a session advisory lock throughout, so processes starting together apply each
    /// migration once. Stops at the first failure (earlier ones stay applied).
    /// - Returns: the versions applied by this call, in order.
    /// - Throws: `PostgresError` from the failing statement.
    @discardableResult
    public static func apply(_ migrations: [Migration], on connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT pg_advisory_lock(\(lockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(lockKey))") }
        try connection.execute(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version int PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let done = Set(try connection.query("SELECT version FROM schema_migrations").rows.map { try $0.decode("version", as: Int.self) })
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            try connection.transaction { connection in
                try connection.execute(unsafeSQL: migration.sql)
                try connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
            }
            applied.append(migration.version)
        }
        return applied
    }
}
