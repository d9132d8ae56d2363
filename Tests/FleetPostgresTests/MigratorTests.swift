import Foundation
import FleetPostgres
import Synchronization
import Testing

@Suite struct MigratorTests {
    private func directory(_ files: [String: String]) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, sql) in files {
            try sql.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    @Test func loadSortsByVersionAndIgnoresOtherFiles() throws {
        let url = try directory(["010_labels.sql": "SELECT 10", "002_devices.sql": "SELECT 2", "README.md": "notes"])
        defer { try? FileManager.default.removeItem(at: url) }
        let migrations = try Migrator.load(directory: url)
        #expect(migrations.map(\.version) == [2, 10])
        #expect(migrations.map(\.name) == ["devices", "labels"])
        #expect(migrations.first?.sql == "SELECT 2")
    }

    @Test(arguments: [["001_a.sql": "", "1_b.sql": ""], ["abc.sql": ""], ["001.sql": ""], ["x1_a.sql": ""]])
    func loadRejectsDuplicateOrBadNames(_ files: [String: String]) throws {
        let url = try directory(files)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: MigrationError.self) { try Migrator.load(directory: url) }
    }

    private let migrations = [
        Migration(version: 1, name: "devices", sql: "CREATE TABLE devices (id uuid PRIMARY KEY); SELECT pg_sleep(0.2);"),
        Migration(version: 2, name: "labels", sql: "ALTER TABLE devices ADD COLUMN labels text[] NOT NULL DEFAULT '{}';"),
        Migration(version: 3, name: "commands", sql: "CREATE TABLE commands (id bigserial PRIMARY KEY, device uuid REFERENCES devices);"),
    ]

    @Test func concurrentMigratorsApplyEachMigrationOnce() throws {
        let conninfo = try TestCluster.freshDatabase()
        let results = Mutex<[Result<[Int], any Error>]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let result = Result { try Migrator.apply(migrations, on: PostgresConnection(conninfo: conninfo)) }
            results.withLock { $0.append(result) }
        }
        let applied = try results.withLock { $0 }.map { try $0.get() }.sorted { $0.count < $1.count }
        #expect(applied == [[], [1, 2, 3]])
        let connection = try PostgresConnection(conninfo: conninfo)
        #expect(try Migrator.apply(migrations, on: connection) == [])
        let recorded = try connection.query("SELECT version, name FROM schema_migrations ORDER BY version").rows
        #expect(try recorded.map { try $0.decode("name", as: String.self) } == ["devices", "labels", "commands"])
    }

    @Test func failingMigrationIsRolledBackAndStops() throws {
        let connection = try PostgresConnection(conninfo: try TestCluster.freshDatabase())
        let broken = [
            Migration(version: 1, name: "ok", sql: "CREATE TABLE a (id int);"),
            Migration(version: 2, name: "broken", sql: "CREATE TABLE b (id int); SELECT no_such_function();"),
            Migration(version: 3, name: "never", sql: "CREATE TABLE c (id int);"),
        ]
        #expect(throws: PostgresError.self) { try Migrator.apply(broken, on: connection) }
        let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").rows
            .compactMap { $0.text("tablename") }
        #expect(tables == ["a", "schema_migrations"])
        #expect(try Migrator.apply(Array(broken.prefix(1)), on: connection) == [])
    }
}
