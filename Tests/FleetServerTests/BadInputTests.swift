import Foundation
import FleetCore
import FleetJSON
import Testing

/// Whatever a client sends, the answer is a 4xx in problem+json with a `detail` saying what is wrong; never a 500.
@Suite struct BadInputTests {
    /// A server with one device, one command and tokens of each kind, shared by the checks of one test.
    struct Fixture {
        let server: TestServer
        let device: TestServer.EnrolledDevice
        let command: String

        init() throws {
            server = try TestServer()
            device = try server.enroll()
            command = try server.queuedCommand(for: device.id)
        }

        var admin: String { server.adminToken }

        func expect(_ method: String, _ path: String, token: String? = nil, json: JSON? = nil, raw: String? = nil,
                    contentType: String? = "application/json", status: Int, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
            var headers: [(name: String, value: String)] = []
            if let contentType, json != nil || raw != nil { headers.append(("Content-Type", contentType)) }
            let bearer = token == "" ? nil : (token ?? admin)
            let answer = try server.call(method, path, token: bearer, json: json, raw: raw.map { Array($0.utf8) }, headers: headers)
            expectProblem(answer, status, "\(what) (\(method) \(path))", sourceLocation: sourceLocation)
        }
    }

    @Test func malformedJSONIs400() throws {
        let f = try Fixture()
        for text in ["{", "{\"name\": }", "nope", "{\"name\": \"x\",}", "\u{0}", "{\"a\": 1} trailing", "'single'"] {
            try f.expect("POST", "/v1/tokens", raw: text, status: 400, "malformed JSON \(text.debugDescription)")
            try f.expect("POST", "/v1/devices/\(f.device.id)/commands", raw: text, status: 400, "malformed JSON \(text.debugDescription)")
            try f.expect("PATCH", "/v1/devices/\(f.device.id)", raw: text, status: 400, "malformed JSON \(text.debugDescription)")
            try f.expect("POST", "/v1/enroll", token: "", raw: text, status: 400, "malformed JSON \(text.debugDescription)")
            try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, raw: text, status: 400,
                         "malformed JSON \(text.debugDescription)")
        }
    }

    @Test func nonObjectBodiesAre400() throws {
        let f = try Fixture()
        for text in ["[]", "[{\"name\": \"x\", \"role\": \"viewer\"}]", "\"text\"", "42", "null", "true"] {
            try f.expect("POST", "/v1/tokens", raw: text, status: 400, "body \(text)")
            try f.expect("POST", "/v1/enrollment-tokens", raw: text, status: 400, "body \(text)")
            try f.expect("PATCH", "/v1/devices/\(f.device.id)", raw: text, status: 400, "body \(text)")
            try f.expect("POST", "/v1/executor/heartbeat", token: f.device.token, raw: text, status: 400, "body \(text)")
        }
    }

    @Test func unknownFieldsAre400() throws {
        let f = try Fixture()
        let enrollment = try f.server.createEnrollmentToken()
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "viewer", "admin": true], status: 400, "unknown field")
        try f.expect("POST", "/v1/enrollment-tokens", json: ["labels": [:], "maxUses": 3], status: 400, "misspelt field")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", json: ["type": "executor.ping", "payload": [:], "ttl": 5], status: 400, "unknown field")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": ["a": "b"], "status": "active"], status: 400, "status is not patchable")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": "hw-x", "labels": ["a": "b"]],
                     status: 400, "unknown field")
        try f.expect("POST", "/v1/executor/heartbeat", token: f.device.token, json: ["inventory": [:], "uptime": 5], status: 400, "unknown field")
        try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, json: ["state": "running", "progress": 50],
                     status: 400, "unknown field")
        // Nothing was half-applied.
        #expect(try f.server.device(f.device.id)["labels"] == [:])
        #expect(try f.server.command(f.command)["state"] == "queued")
    }

    @Test func wrongTypesAre400() throws {
        let f = try Fixture()
        try f.expect("POST", "/v1/tokens", json: ["name": 5, "role": "viewer"], status: 400, "name as number")
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "superuser"], status: 400, "unknown role")
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "device"], status: 400, "device role for an API token")
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "viewer", "expires_in_seconds": "60"], status: 400, "expiry as string")
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "viewer", "expires_in_seconds": 1.5], status: 400, "fractional expiry")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", json: ["type": 7], status: 400, "type as number")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", json: ["type": "executor.ping", "ttl_seconds": "10"], status: 400, "ttl as string")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", json: ["type": "executor.ping", "idempotency_key": 12], status: 400, "key as number")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": "env=lab"], status: 400, "labels as string")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": ["env": 5]], status: 400, "label value as number")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": ["env": ["nested": "x"]]], status: 400, "label value as object")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["name": false], status: 400, "name as boolean")
        try f.expect("POST", "/v1/enrollment-tokens", json: ["auto_approve": "yes"], status: 400, "auto_approve as string")
        try f.expect("POST", "/v1/enrollment-tokens", json: ["max_uses": "3"], status: 400, "max_uses as string")
        try f.expect("POST", "/v1/enrollment-tokens", json: ["labels": ["a", "b"]], status: 400, "labels as array")
        try f.expect("POST", "/v1/executor/heartbeat", token: f.device.token, json: ["inventory": 5], status: 400, "inventory as number")
        try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, json: ["state": 1], status: 400, "state as number")
        try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, json: ["state": "done"], status: 400, "unknown state")
        try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, json: ["state": "failed", "error": ["x": 1]],
                     status: 400, "error as object")
        let enrollment = try f.server.createEnrollmentToken()
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": 42], status: 400, "hardware_id as number")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": "hw", "inventory": [1, 2]],
                     status: 400, "inventory as array")
        #expect(try f.server.command(f.command)["state"] == "queued")
    }

    @Test func missingRequiredFieldsAre400() throws {
        let f = try Fixture()
        let enrollment = try f.server.createEnrollmentToken()
        try f.expect("POST", "/v1/tokens", json: ["role": "viewer"], status: 400, "no name")
        try f.expect("POST", "/v1/tokens", json: ["name": "x"], status: 400, "no role")
        try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": nil], status: 400, "null role")
        try f.expect("POST", "/v1/tokens", raw: "", status: 400, "empty body")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", json: ["payload": [:]], status: 400, "no type")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", raw: "", status: 400, "empty body")
        try f.expect("POST", "/v1/enroll", token: "", json: ["hardware_id": "hw-1"], status: 400, "no enrollment token")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment)], status: 400, "no hardware id")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": ""], status: 400, "empty hardware id")
        try f.expect("POST", "/v1/executor/commands/\(f.command)/status", token: f.device.token, json: [:], status: 400, "no state")
    }

    @Test func badUUIDsInPathsAre400AndUnknownOnesAre404() throws {
        let f = try Fixture()
        for bad in ["not-a-uuid", "123", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "\(f.device.id)x", "%20"] {
            try f.expect("GET", "/v1/devices/\(bad)", status: 400, "bad device id")
            try f.expect("PATCH", "/v1/devices/\(bad)", json: ["name": "x"], status: 400, "bad device id")
            try f.expect("DELETE", "/v1/devices/\(bad)", status: 400, "bad device id")
            try f.expect("POST", "/v1/devices/\(bad)/approve", status: 400, "bad device id")
            try f.expect("POST", "/v1/devices/\(bad)/commands", json: ["type": "executor.ping"], status: 400, "bad device id")
            try f.expect("GET", "/v1/devices/\(bad)/commands", status: 400, "bad device id")
            try f.expect("GET", "/v1/commands/\(bad)", status: 400, "bad command id")
            try f.expect("POST", "/v1/commands/\(bad)/cancel", status: 400, "bad command id")
            try f.expect("DELETE", "/v1/tokens/\(bad)", status: 400, "bad token id")
            try f.expect("DELETE", "/v1/enrollment-tokens/\(bad)", status: 400, "bad enrollment token id")
            try f.expect("POST", "/v1/executor/commands/\(bad)/status", token: f.device.token, json: ["state": "running"], status: 400, "bad command id")
        }
        let unknown = UUID().uuidString.lowercased()
        try f.expect("GET", "/v1/devices/\(unknown)", status: 404, "unknown device")
        try f.expect("PATCH", "/v1/devices/\(unknown)", json: ["name": "x"], status: 404, "unknown device")
        try f.expect("DELETE", "/v1/devices/\(unknown)", status: 404, "unknown device")
        try f.expect("POST", "/v1/devices/\(unknown)/approve", status: 404, "unknown device")
        try f.expect("POST", "/v1/devices/\(unknown)/reject", status: 404, "unknown device")
        try f.expect("POST", "/v1/devices/\(unknown)/commands", json: ["type": "executor.ping"], status: 404, "unknown device")
        try f.expect("GET", "/v1/devices/\(unknown)/commands", status: 404, "unknown device")
        try f.expect("GET", "/v1/commands/\(unknown)", status: 404, "unknown command")
        try f.expect("POST", "/v1/commands/\(unknown)/cancel", status: 404, "unknown command")
        try f.expect("DELETE", "/v1/tokens/\(unknown)", status: 404, "unknown token")
        try f.expect("DELETE", "/v1/enrollment-tokens/\(unknown)", status: 404, "unknown enrollment token")
        try f.expect("POST", "/v1/executor/commands/\(unknown)/status", token: f.device.token, json: ["state": "running"], status: 404, "unknown command")
    }

    @Test func badSelectorsAre400() throws {
        let f = try Fixture()
        for selector in ["a in (", "a in ()", "a in (x", "a notin", "=x", "a=b=c", "!", "a,", ",a", "a b", "a!x", "a in (b c)",
                         "bad key=x", "a=bad value!", String(repeating: "k", count: 64) + "=v", "a=" + String(repeating: "v", count: 64)] {
            let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            try f.expect("GET", "/v1/devices?selector=\(encoded)", status: 400, "selector \(selector.debugDescription)")
        }
        // The one from the brief, encoded by hand.
        try f.expect("GET", "/v1/devices?selector=a%20in%20(", status: 400, "selector a in (")
    }

    @Test func badLimitsAre400() throws {
        let f = try Fixture()
        for limit in ["0", "1001", "abc", "-1", "1.5", "99999999999999999999", "%20"] {
            for path in ["/v1/devices", "/v1/tokens", "/v1/enrollment-tokens", "/v1/audit", "/v1/devices/\(f.device.id)/commands"] {
                try f.expect("GET", "\(path)?limit=\(limit)", status: 400, "limit \(limit)")
            }
        }
        #expect(try f.server.call("GET", "/v1/devices?limit=1000", token: f.admin).status == 200)
        #expect(try f.server.call("GET", "/v1/devices?limit=1", token: f.admin).status == 200)
    }

    /// Base64url without padding, as the server writes cursors.
    static func cursor(_ values: [JSON]) -> String {
        Data(JSON.array(values).serializedBytes()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    @Test func badCursorsAre400() throws {
        let f = try Fixture()
        let uuid = JSON.string(UUID().uuidString)
        let garbage = ["garbage", "!!!!", String(repeating: "A", count: 2000), Self.cursor([]), Self.cursor(["x"]),
                       Self.cursor([1]), Self.cursor(["2026-01-01T00:00:00Z", "not-a-uuid"]), Self.cursor(["yesterday", uuid]),
                       Self.cursor([uuid, uuid, uuid]), Data("{\"a\":1}".utf8).base64EncodedString()]
        for cursor in garbage {
            for path in ["/v1/devices", "/v1/tokens", "/v1/enrollment-tokens", "/v1/audit", "/v1/devices/\(f.device.id)/commands"] {
                try f.expect("GET", "\(path)?cursor=\(cursor)", status: 400, "cursor \(cursor.prefix(40))")
            }
        }
    }

    /// A cursor that decodes and whose timestamp passes the RFC 3339 syntax check but names no real instant
    /// (February 31st, year 0) must be a 400 like any other bad cursor, not a database error.
    @Test func cursorWithImpossibleDateIs400() throws {
        let f = try Fixture()
        let uuid = JSON.string(UUID().uuidString)
        for date in ["2026-02-31T00:00:00Z", "2026-04-31T12:00:00.5Z", "0000-01-01T00:00:00Z"] {
            let cursor = Self.cursor([.string(date), uuid])
            for path in ["/v1/tokens", "/v1/enrollment-tokens", "/v1/devices/\(f.device.id)/commands"] {
                try f.expect("GET", "\(path)?cursor=\(cursor)", status: 400, "cursor with date \(date)")
            }
        }
    }

    @Test func badFilterValuesAre400() throws {
        let f = try Fixture()
        for value in ["maybe", "yes", "TRUE", "2", "on"] {
            try f.expect("GET", "/v1/devices?online=\(value)", status: 400, "online=\(value)")
        }
        for value in ["sleeping", "ACTIVE", "all", "active,pending"] {
            try f.expect("GET", "/v1/devices?status=\(value)", status: 400, "status=\(value)")
        }
        for value in ["done", "QUEUED", "queued,running"] {
            try f.expect("GET", "/v1/devices/\(f.device.id)/commands?state=\(value)", status: 400, "state=\(value)")
        }
        for value in ["61", "-1", "abc", "3600", "1.5"] {
            try f.expect("GET", "/v1/executor/commands?wait=\(value)", token: f.device.token, status: 400, "wait=\(value)")
        }
    }

    @Test func oversizedBodyIs413() throws {
        let f = try Fixture()
        let padding = String(repeating: "x", count: 2 << 20)
        let body = "{\"name\": \"\(padding)\", \"role\": \"viewer\"}"
        try f.expect("POST", "/v1/tokens", raw: body, status: 413, "2 MiB token request")
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", raw: "{\"name\": \"\(padding)\"}", status: 413, "2 MiB patch")
        try f.expect("POST", "/v1/devices/\(f.device.id)/commands", raw: "{\"type\": \"executor.ping\", \"payload\": {\"blob\": \"\(padding)\"}}",
                     status: 413, "2 MiB command")
        // The server is fine afterwards, and a body just under the limit is not refused for its size.
        let under = "{\"type\": \"executor.ping\", \"payload\": {\"blob\": \"\(String(repeating: "y", count: 1_000_000))\"}}"
        let answer = try f.server.call("POST", "/v1/devices/\(f.device.id)/commands", token: f.admin, raw: Array(under.utf8),
                                       headers: [("Content-Type", "application/json")])
        #expect(answer.status == 201, "\(answer.status)")
    }

    @Test func wrongContentTypeIs415() throws {
        let f = try Fixture()
        let json = "{\"name\": \"x\", \"role\": \"viewer\"}"
        for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"] {
            try f.expect("POST", "/v1/tokens", raw: json, contentType: type, status: 415, "Content-Type \(type)")
            try f.expect("POST", "/v1/devices/\(f.device.id)/commands", raw: "{\"type\": \"executor.ping\"}", contentType: type, status: 415,
                         "Content-Type \(type)")
            try f.expect("POST", "/v1/enroll", token: "", raw: "{}", contentType: type, status: 415, "Content-Type \(type)")
        }
        #expect(try f.server.call("GET", "/v1/tokens", token: f.admin).items.allSatisfy { $0["name"] != "x" }, "no token was made")
    }

    @Test func unknownRouteIs404() throws {
        let f = try Fixture()
        for path in ["/v1/nope", "/v2/devices", "/", "/v1", "/v1/devices/\(f.device.id)/nope", "/v1/executor", "/healthz/x", "/v1/devices/a/b/c/d"] {
            try f.expect("GET", path, status: 404, "unknown route")
            try f.expect("GET", path, token: "", status: 404, "unknown route without a token")
        }
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let f = try Fixture()
        let cases: [(String, String, Set<String>)] = [
            ("PUT", "/v1/devices", ["GET"]),
            ("DELETE", "/v1/audit", ["GET"]),
            ("GET", "/v1/enroll", ["POST"]),
            ("POST", "/v1/devices/\(f.device.id)", ["GET", "PATCH", "DELETE"]),
            ("GET", "/v1/commands/\(f.command)/cancel", ["POST"]),
            ("PUT", "/v1/tokens", ["GET", "POST"]),
            ("POST", "/healthz", ["GET"]),
            ("DELETE", "/v1/executor/commands", ["GET"]),
        ]
        for (method, path, allowed) in cases {
            for token in [f.admin, ""] {
                let answer = try f.server.call(method, path, token: token.isEmpty ? nil : token)
                expectProblem(answer, 405, "\(method) \(path)")
                let allow = Set((answer.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allow == allowed, "\(method) \(path): Allow is \(answer.header("Allow") ?? "missing")")
            }
        }
    }

    @Test func invalidLabelsAre400() throws {
        let f = try Fixture()
        let badKeys = ["bad key", "-lead", "trail-", "", "a/b/c", String(repeating: "k", count: 64), "UPPER.example.com/x", "x/", "/x", "k\u{e9}y"]
        let badValues = ["bad value", "-lead", "trail_", String(repeating: "v", count: 64), "a/b", "caf\u{e9}"]
        for key in badKeys {
            try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": .object([key: "v"])], status: 400, "label key \(key.debugDescription)")
            try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": .object([key: .null])], status: 400, "deleting label key \(key.debugDescription)")
            try f.expect("POST", "/v1/enrollment-tokens", json: ["labels": .object([key: "v"])], status: 400, "enrolment label key \(key.debugDescription)")
        }
        for value in badValues {
            try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": ["env": .string(value)]], status: 400, "label value \(value.debugDescription)")
            try f.expect("POST", "/v1/enrollment-tokens", json: ["labels": ["env": .string(value)]], status: 400, "enrolment label value \(value.debugDescription)")
        }
        // One bad label spoils the whole patch.
        try f.expect("PATCH", "/v1/devices/\(f.device.id)", json: ["labels": ["good": "yes", "bad key": "x"]], status: 400, "mixed labels")
        #expect(try f.server.device(f.device.id)["labels"] == [:])
        // Valid edge cases are accepted.
        let longKey = String(repeating: "k", count: 63)
        let fine = try f.server.call("PATCH", "/v1/devices/\(f.device.id)", token: f.admin,
                                     json: ["labels": .object(["example.com/role": "", "a": "A-b_c.9", longKey: "v"])])
        #expect(fine.status == 200, "\(fine)")
    }

    @Test func badCommandFieldsAre400() throws {
        let f = try Fixture()
        let path = "/v1/devices/\(f.device.id)/commands"
        for type in ["Bad Type", "", "UPPER.case", "1starts.with.digit", "has space", "semi;colon", String(repeating: "a", count: 65), ".dot"] {
            try f.expect("POST", path, json: ["type": .string(type)], status: 400, "command type \(type.debugDescription)")
        }
        for ttl in [0, -1, 30 * 86400 + 1, Int(Int32.max)] {
            try f.expect("POST", path, json: ["type": "executor.ping", "ttl_seconds": .int(Int64(ttl))], status: 400, "ttl_seconds \(ttl)")
        }
        try f.expect("POST", path, json: ["type": "executor.ping", "idempotency_key": ""], status: 400, "empty idempotency key")
        try f.expect("POST", path, json: ["type": "executor.ping", "idempotency_key": .string(String(repeating: "k", count: 201))], status: 400,
                     "long idempotency key")
        let list = try f.server.call("GET", path, token: f.admin)
        #expect(list.items.count == 1, "only the fixture's command exists")
        // The limits themselves are accepted.
        #expect(try f.server.sendCommand(to: f.device.id, extra: ["ttl_seconds": 1]).status == 201)
        #expect(try f.server.sendCommand(to: f.device.id, extra: ["ttl_seconds": .int(30 * 86400)]).status == 201)
    }

    @Test func badEnrollmentTokenFieldsAre400() throws {
        let f = try Fixture()
        for maxUses: Int64 in [0, -5, Int64(Int32.max) + 1, 1_000_000_000_000, .max] {
            try f.expect("POST", "/v1/enrollment-tokens", json: ["max_uses": .int(maxUses)], status: 400, "max_uses \(maxUses)")
        }
        try f.expect("POST", "/v1/enrollment-tokens", json: ["max_uses": 1e30], status: 400, "max_uses 1e30")
        for expires: Int64 in [0, -1, 10 * 365 * 86400 + 1, .max] {
            try f.expect("POST", "/v1/enrollment-tokens", json: ["expires_in_seconds": .int(expires)], status: 400, "expires_in_seconds \(expires)")
            try f.expect("POST", "/v1/tokens", json: ["name": "x", "role": "viewer", "expires_in_seconds": .int(expires)], status: 400,
                         "token expires_in_seconds \(expires)")
        }
        try f.expect("POST", "/v1/enrollment-tokens", json: ["name": ""], status: 400, "empty name")
        try f.expect("POST", "/v1/tokens", json: ["name": "", "role": "viewer"], status: 400, "empty token name")
        try f.expect("POST", "/v1/tokens", json: ["name": .string(String(repeating: "n", count: 201)), "role": "viewer"], status: 400, "long token name")
        let list = try f.server.call("GET", "/v1/enrollment-tokens", token: f.admin)
        #expect(list.items.count == 1, "only the fixture's enrolment token exists: \(list)")
    }

    @Test func badEnrolmentIsRefusedWithoutAServerError() throws {
        let f = try Fixture()
        let enrollment = try f.server.createEnrollmentToken()
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": "nope", "hardware_id": "hw-1"], status: 401, "malformed enrolment token")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(f.device.token), "hardware_id": "hw-1"], status: 401,
                     "device token as enrolment token")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(f.admin), "hardware_id": "hw-1"], status: 401,
                     "API token as enrolment token")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": .string(String(repeating: "h", count: 257))],
                     status: 400, "hardware id too long")
        try f.expect("POST", "/v1/enroll", token: "", json: ["enrollment_token": .string(enrollment), "hardware_id": "hw-2", "name": ""], status: 400,
                     "empty name")
    }

    /// JSON may carry U+0000 inside strings; PostgreSQL text and jsonb cannot store it. Such input is the
    /// client's mistake and must be answered with 400, not with a failed INSERT turned into a 500.
    @Test func nulCharactersInStringsAre400() throws {
        let f = try Fixture()
        let enrollment = try f.server.createEnrollmentToken()
        // Sent as text so the escape reaches the server exactly as written.
        let nul = #"a\u0000b"#
        let device = f.device.id
        try f.expect("POST", "/v1/tokens", raw: #"{"name": "\#(nul)", "role": "viewer"}"#, status: 400, "token name with NUL")
        try f.expect("POST", "/v1/enrollment-tokens", raw: #"{"name": "\#(nul)"}"#, status: 400, "enrolment token name with NUL")
        try f.expect("PATCH", "/v1/devices/\(device)", raw: #"{"name": "\#(nul)"}"#, status: 400, "device name with NUL")
        try f.expect("POST", "/v1/devices/\(device)/commands", raw: #"{"type": "executor.ping", "payload": {"text": "\#(nul)"}}"#,
                     status: 400, "payload with NUL")
        try f.expect("POST", "/v1/devices/\(device)/commands", raw: #"{"type": "executor.ping", "idempotency_key": "\#(nul)"}"#,
                     status: 400, "idempotency key with NUL")
        try f.expect("POST", "/v1/enroll", token: "", raw: #"{"enrollment_token": "\#(enrollment)", "hardware_id": "\#(nul)"}"#,
                     status: 400, "hardware id with NUL")
        try f.expect("POST", "/v1/executor/heartbeat", token: f.device.token, raw: #"{"inventory": {"os": "\#(nul)"}}"#, status: 400,
                     "inventory with NUL")
        let failing = try f.server.queuedCommand(for: device)
        try f.expect("POST", "/v1/executor/commands/\(failing)/status", token: f.device.token,
                     raw: #"{"state": "failed", "error": "\#(nul)"}"#, status: 400, "error text with NUL")
        let producing = try f.server.queuedCommand(for: device)
        try f.expect("POST", "/v1/executor/commands/\(producing)/status", token: f.device.token,
                     raw: #"{"state": "succeeded", "result": {"out": "\#(nul)"}}"#, status: 400, "result with NUL")
        for id in [f.command, failing, producing] {
            #expect(try f.server.command(id)["state"] == "queued", "a refused report leaves the command alone")
        }
        let keys = try f.server.call("GET", "/v1/devices/\(device)/commands", token: f.admin).items.compactMap { $0["idempotency_key"]?.stringValue }
        #expect(keys.isEmpty, "no command was stored under a truncated idempotency key: \(keys)")
    }
}
