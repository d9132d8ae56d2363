import Foundation
import FleetJSON
import Testing

/// Health, readiness, the contract, metrics, API token management and `fleet-server token create`.
@Suite struct SystemEndpointTests {
    @Test func healthAndReadinessNeedNoToken() throws {
        let server = try TestServer()
        let health = try server.call("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.json["status"] == "ok")
        let ready = try server.call("GET", "/readyz")
        #expect(ready.status == 200)
        #expect(ready.json["status"] == "ready")
        #expect(try server.call("GET", "/healthz", token: "fla_garbage").status == 200, "a bad token does not matter here")
    }

    @Test func openAPIDocumentIsServed() throws {
        let server = try TestServer()
        let answer = try server.call("GET", "/openapi.yaml")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type")?.contains("yaml") == true, "\(answer.headers)")
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("openapi: 3.1"))
        for path in ["/v1/devices", "/v1/executor/commands", "/v1/tokens", "/v1/enroll"] {
            #expect(text.contains(path), "the contract documents \(path)")
        }
    }

    @Test func metricsFromLoopbackNeedNoToken() throws {
        let server = try TestServer()
        _ = try server.call("GET", "/v1/devices", token: server.adminToken)
        _ = try server.call("GET", "/v1/nope")
        let answer = try server.call("GET", "/metrics")
        #expect(answer.status == 200)
        #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("fleet_http_requests_total"))
        #expect(text.contains("fleet_longpolls_held"))
        #expect(text.contains("fleet_http_requests_total{route=\"/v1/devices\",code=\"200\"} 1"), "\(text)")
        #expect(text.contains("# TYPE fleet_longpolls_held gauge"))
        // Every sample line is `name{labels} value` with a numeric value.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            #expect(Double(value) != nil, "sample line \(line)")
        }
    }

    @Test func apiTokenLifecycle() throws {
        let server = try TestServer()
        let created = try server.call("POST", "/v1/tokens", token: server.adminToken,
                                      json: ["name": "ci", "role": "operator", "expires_in_seconds": 3600])
        #expect(created.status == 201)
        let secret = try #require(created.json["token"]?.stringValue)
        let id = try #require(created.json["id"]?.stringValue)
        #expect(secret.hasPrefix("fla_") && secret.count == 68)
        #expect(created.json["role"] == "operator")
        #expect(created.json["name"] == "ci")
        #expect(created.json["expires_at"]?.stringValue != nil)
        #expect(created.json["revoked_at"] == .null)
        let prefix = try #require(created.json["token_prefix"]?.stringValue)
        #expect(secret.hasPrefix(prefix) && prefix.count < 20, "the prefix is a short, recognisable part")

        #expect(try server.call("GET", "/v1/devices", token: secret).status == 200)

        let list = try server.call("GET", "/v1/tokens", token: server.adminToken)
        #expect(list.status == 200)
        let listed = try #require(list.items.first { $0["id"]?.stringValue == id })
        #expect(listed["name"] == "ci")
        #expect(listed["last_used_at"]?.stringValue != nil, "last use is recorded")
        #expect(!String(decoding: list.body, as: UTF8.self).contains(secret), "the listing never shows a secret")
        #expect(list.items.allSatisfy { $0["token"] == nil && $0["token_hash"] == nil })
        #expect(list.items.count == 2, "the admin token and this one")

        #expect(try server.call("DELETE", "/v1/tokens/\(id)", token: server.adminToken).status == 204)
        expectProblem(try server.call("GET", "/v1/devices", token: secret), 401, "revoked token")
        let second = try server.call("DELETE", "/v1/tokens/\(id)", token: server.adminToken)
        #expect(second.status == 204, "revoking twice: \(second)")
        let after = try server.call("GET", "/v1/tokens", token: server.adminToken)
        #expect(after.items.first { $0["id"]?.stringValue == id }?["revoked_at"]?.stringValue != nil)

        // Pages of tokens.
        for index in 0..<5 { _ = try server.createToken(role: index.isMultiple(of: 2) ? "viewer" : "operator") }
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try server.call("GET", "/v1/tokens?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: server.adminToken)
            ids += page.itemIDs
            cursor = page.json["next_cursor"]?.stringValue
        } while cursor != nil && ids.count < 100
        #expect(ids.count == 7 && Set(ids).count == 7)
    }

    @Test func tokenCreateCommandPrintsAWorkingToken() async throws {
        let server = try TestServer()
        let run = try await runFleetServer(["token", "create", "--role", "viewer", "--name", "from-cli", "--database-url", server.conninfo])
        #expect(run.status == 0, "exit \(run.status): \(run.errors)")
        let token = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("fla_") && token.count == 68, "printed \(run.output.debugDescription)")

        let answer = try server.call("GET", "/v1/devices", token: token)
        #expect(answer.status == 200, "\(answer)")
        expectProblem(try server.call("POST", "/v1/enrollment-tokens", token: token, json: ["labels": [:]]), 403, "the CLI token is a viewer")
        let listed = try server.call("GET", "/v1/tokens", token: server.adminToken)
        #expect(listed.items.contains { $0["name"] == "from-cli" && $0["role"] == "viewer" })

        let refused = try await runFleetServer(["token", "create", "--role", "device", "--database-url", server.conninfo])
        #expect(refused.status != 0, "a device role cannot be made by the CLI")
    }
}
