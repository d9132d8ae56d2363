import ArgumentParser
import Dispatch
import Foundation
import FleetServer

extension FleetServerCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the server.",
            discussion: """
                Without --database-url (or DATABASE_URL) the server runs a private PostgreSQL cluster under
                <data-dir>/postgres, reachable only through a unix socket, and stops it on exit. On the first
                start it prints an admin token once and writes it to <data-dir>/admin-token (mode 0600).
                One server at a time may use a data directory (it holds <data-dir>/server.lock); a second one
                exits with an error. Replicas share a database with --database-url instead.
                SIGTERM or SIGINT drain the server and exit.
                """)

        @Option(help: "Address and port to listen on.")
        var listen = "127.0.0.1:8080"

        @Option(help: "HTTP worker threads (default: 4 per core, at least 8; handlers wait on the database).")
        var threads: Int?

        @Option(name: .customLong("heartbeat-interval"), help: "Seconds between executor heartbeats.")
        var heartbeatInterval = 60

        @Option(name: .customLong("db-connections"), help: "Database connections in the pool (default: threads + 3).")
        var databaseConnections: Int?

        @Option(name: .customLong("telemetry-retention-days"), help: "Days of telemetry to keep; older days are dropped.")
        var telemetryRetentionDays = 7

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080") }
            if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
            guard (1...3600).contains(heartbeatInterval) else { throw ValidationError("--heartbeat-interval must be between 1 and 3600") }
            guard (1...3650).contains(telemetryRetentionDays) else { throw ValidationError("--telemetry-retention-days must be between 1 and 3650") }
        }

        func run() throws {
            let address = ListenAddress(listen)!
            var options = ServerOptions()
            options.host = address.host
            options.port = address.port
            if let threads { options.threads = threads }
            options.dataDirectory = database.dataDirectoryURL
            options.databaseURL = database.resolvedURL
            options.heartbeatIntervalSeconds = heartbeatInterval
            options.databaseConnections = databaseConnections
            options.telemetryRetentionDays = telemetryRetentionDays

            let app: FleetServerApp
            do { app = try FleetServerApp(options: options) } catch let error as DataDirectoryLockError {
                throw failure("\(error)")
            } catch {
                throw failure("cannot open the database: \(error)")
            }
            if let token = try app.bootstrapAdminToken() {
                print("""
                    First start: created an admin token. It is shown only this once and saved in \
                    \(options.dataDirectory.appendingPathComponent("admin-token").path) (mode 0600):

                        \(token)

                    """)
            }
            do { try app.start() } catch {
                app.stop()
                throw failure("cannot listen on \(listen): \(error)")
            }
            print("fleet-server listening on http://\(address.display(port: app.port))")
            fflush(nil)

            let stop = DispatchSemaphore(value: 0)
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { stop.signal() }
                source.resume()
                sources.append(source)
            }
            stop.wait()
            Log.info("shutting down")
            app.stop()
            Log.info("stopped")
        }
    }
}

/// Writes `error: <message>` on standard error; the returned status ends the process non-zero.
private func failure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return .failure
}

/// `HOST:PORT`, with IPv6 hosts in brackets.
struct ListenAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    func display(port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
