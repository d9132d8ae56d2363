import Testing
@testable import FleetClient

@Suite struct ClientConfigurationTests {
    let home = ["HOME": "/home/ops"]
    let configPath = "/home/ops/.config/fleetctl/config.json"

    func file(_ text: String) -> (String) throws -> [UInt8]? {
        { path in path == "/home/ops/.config/fleetctl/config.json" ? Array(text.utf8) : nil }
    }

    @Test func flagsBeatEnvironmentAndFile() throws {
        let config = try ClientConfiguration.resolve(
            serverFlag: "http://flag:1", tokenFlag: "flag-token",
            environment: home.merging(["FLEET_SERVER": "http://env:2", "FLEET_TOKEN": "env-token"]) { $1 },
            readFile: file(#"{"server": "http://file:3", "token": "file-token"}"#))
        #expect(config.server == "http://flag:1")
        #expect(config.token?.text == "flag-token")
        #expect(config.serverSource == .flag)
        #expect(config.tokenSource == .flag)
    }

    @Test func environmentBeatsFile() throws {
        let config = try ClientConfiguration.resolve(
            serverFlag: nil, tokenFlag: nil,
            environment: home.merging(["FLEET_SERVER": "http://env:2", "FLEET_TOKEN": "env-token"]) { $1 },
            readFile: file(#"{"server": "http://file:3", "token": "file-token"}"#))
        #expect(config.server == "http://env:2")
        #expect(config.token?.text == "env-token")
        #expect(config.serverSource == .environment)
    }

    @Test func fileFillsWhatFlagsAndEnvironmentLeaveOpen() throws {
        let config = try ClientConfiguration.resolve(
            serverFlag: nil, tokenFlag: "flag-token", environment: home,
            readFile: file(#"{"server": "http://file:3/", "token": "file-token"}"#))
        #expect(config.server == "http://file:3")
        #expect(config.serverSource == .configFile)
        #expect(config.token?.text == "flag-token")
    }

    @Test func serverDefaultsToLoopbackAndTokenToNone() throws {
        let config = try ClientConfiguration.resolve(serverFlag: nil, tokenFlag: nil, environment: home, readFile: { _ in nil })
        #expect(config.server == "http://127.0.0.1:8080")
        #expect(config.serverSource == .builtIn)
        #expect(config.token == nil)
        #expect(config.tokenSource == nil)
    }

    @Test func emptyValuesCountAsUnset() throws {
        let config = try ClientConfiguration.resolve(
            serverFlag: "", tokenFlag: "  ", environment: home.merging(["FLEET_SERVER": "", "FLEET_TOKEN": "env-token"]) { $1 },
            readFile: { _ in nil })
        #expect(config.server == ClientConfiguration.defaultServer)
        #expect(config.token?.text == "env-token")
    }

    @Test func configFileIsNotReadWhenFlagsSettleEverything() throws {
        let config = try ClientConfiguration.resolve(
            serverFlag: "http://flag:1", tokenFlag: "t", environment: home,
            readFile: { _ in Issue.record("config file was read"); return nil })
        #expect(config.server == "http://flag:1")
    }

    @Test func malformedConfigFileIsAnError() {
        #expect(throws: FleetClientError.self) {
            _ = try ClientConfiguration.resolve(serverFlag: nil, tokenFlag: nil, environment: home, readFile: file("{server"))
        }
    }

    @Test func unknownConfigKeyIsAnError() throws {
        let error = try #require(throws: FleetClientError.self) {
            _ = try ClientConfiguration.resolve(serverFlag: nil, tokenFlag: nil, environment: home,
                                                readFile: file(#"{"sever": "http://x"}"#))
        }
        #expect(error.kind == .invalidConfiguration)
        #expect(error.description.contains("'sever'"))
        #expect(error.description.contains(configPath))
    }

    @Test func configPathFollowsXDGConfigHome() {
        #expect(ClientConfiguration.configFilePath(environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/xdg"]) == "/xdg/fleetctl/config.json")
        #expect(ClientConfiguration.configFilePath(environment: ["HOME": "/h"]) == "/h/.config/fleetctl/config.json")
        #expect(ClientConfiguration.configFilePath(environment: [:]) == nil)
    }

    @Test func serverURLIsNormalised() throws {
        #expect(try ClientConfiguration.normalizeServer("10.0.0.5:8080") == "http://10.0.0.5:8080")
        #expect(try ClientConfiguration.normalizeServer("https://fleet.example.com//") == "https://fleet.example.com")
        #expect(throws: FleetClientError.self) { try ClientConfiguration.normalizeServer("ftp://fleet") }
        #expect(throws: FleetClientError.self) { try ClientConfiguration.normalizeServer("http://") }
    }

    @Test func tokenIsNeverPrinted() throws {
        let token = try #require(BearerToken("fla_secret"))
        #expect(!"\(token)".contains("secret"))
    }
}
