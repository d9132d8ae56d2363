import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

@Suite struct FleetClientTests {
    static let deviceID = DeviceID(rawValue: UUID(uuidString: "0B5F6C1E-8D1A-4F5E-9C2B-3A4D5E6F7A8B")!)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static var device: Device {
        Device(id: deviceID, name: "gw-1", hardwareID: "hw-1", labels: ["env": "prod"], status: .active, online: true,
               lastSeenAt: now, inventory: ["arch": "arm64"], createdAt: now, updatedAt: now)
    }

    static func command(_ state: CommandState) -> Command {
        Command(id: CommandID(rawValue: UUID(uuidString: "9A1E0000-0000-4000-8000-000000000001")!), deviceID: deviceID,
                type: "executor.ping", payload: [:], state: state, result: state == .succeeded ? ["pong": true] : nil,
                error: nil, idempotencyKey: "k1", createdAt: now, deliveredAt: nil, finishedAt: nil, expiresAt: now.addingTimeInterval(3600))
    }

    func client(_ transport: RecordingTransport, token: String? = "fla_test") -> FleetClient {
        FleetClient(configuration: ClientConfiguration(server: "http://fleet.test:8080", token: token.flatMap(BearerToken.init)),
                    transport: transport)
    }

    @Test func listSendsFiltersAsEncodedQueryAndBearerToken() throws {
        let page: JSON = ["items": [Self.device.json], "next_cursor": "abc"]
        let transport = RecordingTransport([.json(200, page.serialized())])
        let query = DeviceQuery(selector: try LabelSelector(parsing: "env=prod,site in (a,b)"), status: .active, online: false, limit: 5)
        let result = try client(transport).devices(query, cursor: "c+/=")
        #expect(result.items == [Self.device])
        #expect(result.nextCursor == "abc")
        let request = try #require(transport.requests.first)
        #expect(request.method == .get)
        #expect(request.url == "http://fleet.test:8080/v1/devices?selector=env%3Dprod%2Csite%20in%20%28a%2Cb%29&status=active&online=false&limit=5&cursor=c%2B%2F%3D")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer fla_test" })
        #expect(request.body == nil)
    }

    @Test func aCommandWithoutAResultHasNone() throws {
        let canceled = Self.command(.canceled)
        #expect(canceled.result == nil)
        let transport = RecordingTransport([.json(200, canceled.json.serialized())])
        let decoded = try client(transport).command(canceled.id)
        #expect(decoded.result == nil, "result: null is no result, not the JSON value null")
        #expect(!DetailView.command(decoded, now: Self.now).fields.map(\.name).contains("RESULT"))
    }

    @Test func collectFollowsCursorsToTheLastPage() throws {
        var second = Self.device
        second.id = .random()
        let transport = RecordingTransport([
            .json(200, (["items": [Self.device.json], "next_cursor": "p2"] as JSON).serialized()),
            .json(200, (["items": [second.json], "next_cursor": nil] as JSON).serialized()),
        ])
        let all = try client(transport).allDevices(DeviceQuery(limit: 1))
        #expect(all.map(\.id) == [Self.deviceID, second.id])
        #expect(transport.requests.map(\.url) == ["http://fleet.test:8080/v1/devices?limit=1", "http://fleet.test:8080/v1/devices?limit=1&cursor=p2"])
    }

    @Test func problemJSONBecomesAnErrorWithStatusTitleAndDetail() throws {
        let transport = RecordingTransport([.json(404, #"{"type":"about:blank","title":"Not Found","status":404,"detail":"device x does not exist"}"#)])
        let error = try #require(throws: FleetClientError.self) { try client(transport).device(Self.deviceID) }
        #expect(error.status == 404)
        #expect(error.description == "404 Not Found: device x does not exist")
    }

    @Test func nonJSONErrorBodyFallsBackToReasonPhrase() throws {
        let transport = RecordingTransport([HTTPResponse(status: 502, body: Array("upstream down\nmore".utf8))])
        let error = try #require(throws: FleetClientError.self) { try client(transport).device(Self.deviceID) }
        #expect(error.description == "502 Bad Gateway: upstream down")
    }

    @Test func transportFailureNamesTheServer() throws {
        let error = try #require(throws: FleetClientError.self) { try client(RecordingTransport([])).device(Self.deviceID) }
        #expect(error.kind == .transport)
        #expect(error.description == "cannot reach http://fleet.test:8080: Connection refused")
    }

    @Test func malformedSuccessAnswerIsAnInvalidResponse() throws {
        let transport = RecordingTransport([.json(200, #"{"id": "not-a-uuid"}"#)])
        let error = try #require(throws: FleetClientError.self) { try client(transport).device(Self.deviceID) }
        #expect(error.kind == .invalidResponse)
        #expect(error.description.contains("GET /v1/devices/0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b"))
    }

    @Test func labelPatchSendsNullForRemovedLabels() throws {
        let transport = RecordingTransport([.json(200, Self.device.json.serialized())])
        _ = try client(transport).updateDevice(Self.deviceID, DevicePatch(labels: ["env": "prod", "canary": String?.none]))
        let request = try #require(transport.requests.first)
        #expect(request.method == .patch)
        #expect(try JSON.parse(request.body ?? []) == ["labels": ["env": "prod", "canary": nil]])
        #expect(request.headers.contains { $0.name == "Content-Type" && $0.value == "application/json" })
    }

    @Test func createCommandTellsNewFromIdempotentReplay() throws {
        let json = Self.command(.queued).json.serialized()
        let transport = RecordingTransport([.json(201, json), .json(200, json)])
        let new = NewCommand(type: "executor.ping", ttlSeconds: 600, idempotencyKey: "k1")
        #expect(try client(transport).createCommand(new, for: Self.deviceID).created)
        #expect(try !client(transport).createCommand(new, for: Self.deviceID).created)
        let body = try JSON.parse(transport.requests[0].body ?? [])
        #expect(body == ["type": "executor.ping", "payload": [:], "ttl_seconds": 600, "idempotency_key": "k1"])
        #expect(transport.requests[0].url == "http://fleet.test:8080/v1/devices/0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b/commands")
    }

    @Test func waitAsksTheServerToHoldEachRequest() throws {
        let transport = RecordingTransport([
            .json(200, Self.command(.running).json.serialized()),
            .json(200, Self.command(.succeeded).json.serialized()),
        ])
        var seen: [CommandState] = []
        let outcome = try client(transport).waitForCommand(Self.command(.queued).id, timeout: .seconds(90), minimumInterval: .zero) {
            seen.append($0.state)
        }
        #expect(outcome.finished)
        #expect(outcome.command.result == ["pong": true])
        #expect(seen == [.running, .succeeded])
        let path = "http://fleet.test:8080/v1/commands/9a1e0000-0000-4000-8000-000000000001"
        #expect(transport.requests.map(\.url) == [path + "?wait=30", path + "?wait=30"])
        #expect(transport.requests.allSatisfy { $0.timeout == .seconds(60) }, "each request may take its wait plus the request timeout")
    }

    @Test func waitAsksForNoMoreThanTheTimeLeft() throws {
        let transport = RecordingTransport([.json(200, Self.command(.succeeded).json.serialized())])
        _ = try client(transport).waitForCommand(Self.command(.queued).id, timeout: .milliseconds(4200))
        #expect(transport.requests.map(\.url) == ["http://fleet.test:8080/v1/commands/9a1e0000-0000-4000-8000-000000000001?wait=5"])
    }

    @Test func waitMakesAHandfulOfRequestsWhenTheServerAnswersAtOnce() throws {
        // A server that ignores `wait` answers every request at once; the old client asked every 200 ms.
        let answers = (0..<50).map { _ in HTTPResponse.json(200, Self.command(.delivered).json.serialized()) }
        let transport = RecordingTransport(answers)
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = try client(transport).waitForCommand(Self.command(.queued).id, timeout: .seconds(2))
        #expect(!outcome.finished)
        #expect(outcome.command.state == .delivered)
        #expect(transport.requests.count <= 3, "\(transport.requests.count) requests in 2 s")
        #expect(started.duration(to: clock.now) >= .seconds(2), "gave up early")
    }

    @Test func issuedTokenKeepsSecretOutOfItsDescription() throws {
        let secret = TokenSecret.generate(.enrollment)
        let answer: JSON = [
            "id": "2c8e0000-0000-4000-8000-000000000002", "name": "lab", "token_prefix": .string(secret.displayPrefix),
            "labels": ["site": "lab"], "max_uses": 3, "uses": 0, "auto_approve": true, "created_by": "token:x (admin)",
            "created_at": "2027-01-15T08:00:00.000000Z", "expires_at": nil, "revoked_at": nil, "token": .string(secret.text),
        ]
        let transport = RecordingTransport([.json(201, answer.serialized())])
        let issued = try client(transport).createEnrollmentToken(NewEnrollmentToken(name: "lab", labels: ["site": "lab"], maxUses: 3, autoApprove: true))
        #expect(issued.secret == secret)
        #expect(issued.record.maxUses == 3)
        #expect(issued.json == answer)
        #expect(!"\(issued.secret)".contains(secret.text))
        #expect(try JSON.parse(transport.requests[0].body ?? []) == ["name": "lab", "labels": ["site": "lab"], "max_uses": 3, "auto_approve": true])
    }

    @Test func rawReturnsNullForNoContentAndRejectsRelativePaths() throws {
        let transport = RecordingTransport([HTTPResponse(status: 204)])
        #expect(try client(transport).raw(method: .delete, path: "/v1/tokens/x") == .null)
        #expect(throws: FleetClientError.self) { try client(transport).raw(method: .get, path: "v1/devices") }
    }

    @Test func noAuthorizationHeaderWithoutToken() throws {
        let transport = RecordingTransport([.json(200, #"{"status":"ok"}"#)])
        _ = try client(transport, token: nil).raw(method: .get, path: "/healthz")
        #expect(!transport.requests[0].headers.contains { $0.name == "Authorization" })
    }

    @Test func originDropsPathQueryAndCredentials() {
        #expect(URLOrigin.of("http://user:pw@host:80/v1/x?y=1") == "http://host:80")
        #expect(URLOrigin.of("https://fleet.example.com") == "https://fleet.example.com")
    }
}
