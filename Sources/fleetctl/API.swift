import ArgumentParser
import FleetClient
import FleetJSON
import FleetYAML

extension Fleetctl {
    struct API: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "api",
            abstract: "Send any request to the API and print the JSON answer.",
            discussion: """
                For endpoints that have no verb of their own. The answer is printed as JSON (or YAML with \
                -o yaml); a 204 answer prints nothing.

                Examples:
                  fleetctl api GET /v1/audit
                  fleetctl api GET '/v1/devices?selector=env%3Dprod&limit=5'
                  fleetctl api PATCH /v1/devices/5f0c… --data '{"name": "gateway-7"}'
                  fleetctl api GET /healthz
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("GET, POST, PUT, PATCH or DELETE.", valueName: "method"))
        var method: String

        @Argument(help: ArgumentHelp("The path, starting with /, with its query string percent-encoded.", valueName: "path"))
        var path: String

        @Option(help: ArgumentHelp("A JSON body: JSON text, @FILE, or @- for stdin.", valueName: "json"))
        var data: String?

        func validate() throws {
            guard ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method.uppercased()) else {
                throw ValidationError("unsupported method '\(method)': use GET, POST, PUT, PATCH or DELETE")
            }
            guard path.hasPrefix("/") else { throw ValidationError("the path must start with /, e.g. /v1/devices") }
        }

        func run() throws {
            let body = try data.map { try ArgumentTransforms.jsonDocument($0, option: "--data") }
            let answer = try globals.client(requireToken: false).raw(method: HTTPMethod(rawValue: method), path: path, body: body)
            guard !answer.isNull else { return }
            switch globals.output {
            case .yaml: print(YAMLRenderer.render(answer), terminator: "")
            case .json, .table: print(answer.prettyPrinted())
            }
        }
    }
}
