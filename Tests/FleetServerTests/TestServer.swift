import Foundation
import FleetClient
import FleetJSON
import FleetServer
import Testing

/// A real server on a loopback port over a fresh database, with an admin token.
final class TestServer: @unchecked Sendable {  // immutable after init; the app is Sendable
    let app: FleetServerApp
    let base: String
    let adminToken: String
    let conninfo: String

    init(heartbeatInterval: Int = 60, conninfo: String? = nil, threads: Int = 4) throws {
        self.conninfo = try conninfo ?? TestCluster.freshDatabase()
        var options = ServerOptions()
        options.port = 0
        options.threads = threads
        options.databaseURL = self.conninfo
        options.heartbeatIntervalSeconds = heartbeatInterval
        options.dataDirectory = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/data-\(UUID().uuidString.prefix(8))")
        app = try FleetServerApp(options: options)
        adminToken = try app.bootstrapAdminToken() ?? AdminToken.create(conninfo: self.conninfo, role: .admin, name: "test-admin")
        try app.start()
        base = "http://127.0.0.1:\(app.port)"
    }

    deinit { app.stop() }

    struct Answer: CustomStringConvertible {
        let status: Int
        let headers: [(name: String, value: String)]
        let body: [UInt8]

        var json: JSON { (try? JSON.parse(body)) ?? .null }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
        var description: String { "\(status) \(String(decoding: body, as: UTF8.self))" }
    }

    /// Sends a request; `json` is serialised as the body, `raw` is sent as is.
    @discardableResult
    func call(_ method: String, _ path: String, token: String? = nil, json: JSON? = nil, raw: [UInt8]? = nil,
              headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30)) throws -> Answer {
        var allHeaders = headers
        if let token { allHeaders.append(("Authorization", "Bearer \(token)")) }
        var body = raw
        if let json {
            body = json.serializedBytes()
            if !allHeaders.contains(where: { $0.name.lowercased() == "content-type" }) { allHeaders.append(("Content-Type", "application/json")) }
        }
        let response = try CurlTransport().send(HTTPRequest(method: HTTPMethod(rawValue: method), url: base + path,
                                                            headers: allHeaders, body: body, timeout: timeout))
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }

    // MARK: - Fixtures

    func createToken(role: String, expiresIn: Int? = nil) throws -> String {
        var body: [String: JSON] = ["name": .string("\(role)-\(UUID().uuidString.prefix(6))"), "role": .string(role)]
        if let expiresIn { body["expires_in_seconds"] = .int(Int64(expiresIn)) }
        let answer = try call("POST", "/v1/tokens", token: adminToken, json: .object(body))
        try #require(answer.status == 201, "\(answer)")
        return answer.json["token"]!.stringValue!
    }

    func createEnrollmentToken(labels: [String: String] = [:], autoApprove: Bool = true, maxUses: Int? = nil) throws -> String {
        var body: [String: JSON] = ["labels": labels.json, "auto_approve": .bool(autoApprove)]
        if let maxUses { body["max_uses"] = .int(Int64(maxUses)) }
        let answer = try call("POST", "/v1/enrollment-tokens", token: adminToken, json: .object(body))
        try #require(answer.status == 201, "\(answer)")
        return answer.json["token"]!.stringValue!
    }

    struct EnrolledDevice {
        let id: String
        let token: String
        let status: String
    }

    func enroll(hardwareID: String = "hw-\(UUID().uuidString.prefix(8))", labels: [String: String] = [:],
                autoApprove: Bool = true, enrollmentToken: String? = nil) throws -> EnrolledDevice {
        let secret = try enrollmentToken ?? createEnrollmentToken(labels: labels, autoApprove: autoApprove)
        let answer = try call("POST", "/v1/enroll", json: ["enrollment_token": .string(secret), "hardware_id": .string(hardwareID),
                                                          "inventory": ["arch": "x86_64"]])
        try #require(answer.status == 201 || answer.status == 200, "\(answer)")
        return EnrolledDevice(id: answer.json["device_id"]!.stringValue!, token: answer.json["device_token"]!.stringValue!,
                              status: answer.json["status"]!.stringValue!)
    }

    func sendCommand(to device: String, type: String = "executor.ping", payload: JSON = [:], extra: [String: JSON] = [:]) throws -> Answer {
        var body: [String: JSON] = ["type": .string(type), "payload": payload]
        for (k, v) in extra { body[k] = v }
        return try call("POST", "/v1/devices/\(device)/commands", token: adminToken, json: .object(body))
    }
}
