import Foundation

/// The directory holding the system's PostgreSQL server programs.
struct PostgresBinaries: Sendable {
    let directory: URL

    var initdb: String { directory.appendingPathComponent("initdb").path }
    var pgCtl: String { directory.appendingPathComponent("pg_ctl").path }

    /// The newest `/usr/lib/postgresql/*/bin` with `initdb`, else the first `PATH` entry with it.
    /// - Throws: `.connection` naming the missing program.
    static func locate() throws -> PostgresBinaries {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .map { ($0, $0.split(separator: ".").compactMap { Int($0) }) }
            .sorted { $0.1.lexicographicallyPrecedes($1.1) }
            .reversed()
        var candidates = versions.map { URL(fileURLWithPath: "\(root)/\($0.0)/bin") }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { URL(fileURLWithPath: String($0)) }
        guard let directory = candidates.first(where: { ChildProcess.isExecutable($0.appendingPathComponent("initdb").path) }) else {
            throw PostgresError(kind: .connection, message: "initdb not found: install the postgresql package")
        }
        let binaries = PostgresBinaries(directory: directory)
        guard ChildProcess.isExecutable(binaries.pgCtl) else {
            throw PostgresError(kind: .connection, message: "pg_ctl not found next to \(binaries.initdb): install the postgresql package")
        }
        return binaries
    }
}
