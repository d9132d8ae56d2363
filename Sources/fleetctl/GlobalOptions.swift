import ArgumentParser
import FleetClient
import Foundation

/// `--server`, `--token` and `-o`, accepted by every command.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Fleet server URL (default: FLEET_SERVER, the config file, or http://127.0.0.1:8080).", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp("API token (default: FLEET_TOKEN or the config file).", valueName: "token"))
    var token: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Output format: table, json or yaml.", valueName: "format"))
    var output: OutputFormat = .table

    /// A client for the resolved server and token.
    /// - Parameters:
    ///   - requireToken: every /v1 route needs one; only `api` may go without.
    func client(requireToken: Bool = true) throws -> FleetClient {
        let configuration = try ClientConfiguration.resolve(serverFlag: server, tokenFlag: token)
        if requireToken && configuration.token == nil {
            let file = ClientConfiguration.configFilePath(environment: ProcessInfo.processInfo.environment) ?? "~/.config/fleetctl/config.json"
            throw FleetClientError(kind: .invalidConfiguration, title: "no API token",
                                   detail: "pass --token, set FLEET_TOKEN, or put \"token\" in \(file)")
        }
        return FleetClient(configuration: configuration,
                           transport: CurlTransport(options: CurlTransport.Options(userAgent: "fleetctl/1")))
    }

    var printer: Printer { Printer(format: output) }
}
