import Glibc
import FleetSystem
import FleetCore
import FleetJSON

/// Where fleetctl (or any client) finds its server and token.
///
/// Each value comes from the first place that has it: the command-line flag, then the environment
/// (`FLEET_SERVER`, `FLEET_TOKEN`), then the config file (`$XDG_CONFIG_HOME/fleetctl/config.json`,
/// by default `~/.config/fleetctl/config.json`, holding `{"server": "...", "token": "..."}`).
/// The server defaults to `http://127.0.0.1:8080`; there is no default token.
public struct ClientConfiguration: Sendable, Equatable {
    /// Where a value came from, for messages such as "no token: ...".
    public enum Source: String, Sendable, Equatable {
        case flag, environment, configFile = "config file", builtIn = "default"
    }

    public static let defaultServer = "http://127.0.0.1:8080"

    /// Base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public var server: String
    public var serverSource: Source
    public var token: BearerToken?
    public var tokenSource: Source?

    public init(server: String, token: BearerToken?, serverSource: Source = .flag, tokenSource: Source? = nil) {
        self.server = server
        self.token = token
        self.serverSource = serverSource
        self.tokenSource = token == nil ? nil : (tokenSource ?? .flag)
    }

    /// The config file path for this environment, or nil without `HOME` and `XDG_CONFIG_HOME`.
    public static func configFilePath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return xdg + "/fleetctl/config.json"
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/fleetctl/config.json"
    }

    /// Resolves server and token by precedence: flag, environment, config file, default.
    ///
    /// The config file is read only when a flag or variable leaves something open.
    /// - Parameters:
    ///   - readFile: returns a file's bytes, or nil when it does not exist.
    /// - Throws: `FleetClientError` of kind `.invalidConfiguration` for a malformed config file or server URL.
    public static func resolve(serverFlag: String?, tokenFlag: String?,
                               environment: [String: String] = ProcessEnvironment.variables,
                               readFile: (String) throws -> [UInt8]? = ClientConfiguration.readFileIfPresent) throws -> ClientConfiguration {
        func nonEmpty(_ text: String?) -> String? {
            guard let text = text?.trimmed, !text.isEmpty else { return nil }
            return text
        }
        var server: (String, Source)? = nonEmpty(serverFlag).map { ($0, .flag) } ?? nonEmpty(environment["FLEET_SERVER"]).map { ($0, .environment) }
        var token: (String, Source)? = nonEmpty(tokenFlag).map { ($0, .flag) } ?? nonEmpty(environment["FLEET_TOKEN"]).map { ($0, .environment) }

        if server == nil || token == nil, let path = configFilePath(environment: environment), let bytes = try readFile(path) {
            let file = try ConfigFile(bytes: bytes, path: path)
            if server == nil { server = nonEmpty(file.server).map { ($0, .configFile) } }
            if token == nil { token = nonEmpty(file.token).map { ($0, .configFile) } }
        }
        let (serverText, serverSource) = server ?? (defaultServer, .builtIn)
        return ClientConfiguration(server: try normalizeServer(serverText), token: token.flatMap { BearerToken($0.0) },
                                   serverSource: serverSource, tokenSource: token?.1)
    }

    /// `http://host:port` with no trailing slash; a bare `host:port` gets `http://`.
    public static func normalizeServer(_ text: String) throws -> String {
        var url = text.trimmed
        if !url.contains("://") { url = "http://" + url }
        while url.hasSuffix("/") { url.removeLast() }
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw FleetClientError(kind: .invalidConfiguration, title: "invalid server URL '\(text)'", detail: "use http:// or https://")
        }
        let afterScheme = url[url.firstRange(of: "://")!.upperBound...]
        guard !afterScheme.isEmpty, !afterScheme.contains("?"), !afterScheme.contains("#"), !afterScheme.contains(" ") else {
            throw FleetClientError(kind: .invalidConfiguration, title: "invalid server URL '\(text)'", detail: "expected http://host[:port]")
        }
        return url
    }

    /// The file's bytes, or nil when it does not exist.
    public static func readFileIfPresent(_ path: String) throws -> [UInt8]? {
        do {
            return try FileSystem.readIfPresent(path)
        } catch {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot read config file \(path)", detail: String(cString: strerror(error.errno)))
        }
    }
}

/// `{"server": "...", "token": "..."}`; other members are rejected so that typos do not pass silently.
struct ConfigFile {
    var server: String?
    var token: String?

    init(bytes: [UInt8], path: String) throws {
        do {
            var reader = try JSONObjectReader(try JSON.parse(bytes))
            server = try reader.optional("server")
            token = try reader.optional("token")
            try reader.finish()
        } catch let error as JSONError {
            throw FleetClientError(kind: .invalidConfiguration, title: "invalid config file \(path)", detail: error.description)
        }
    }
}
