import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

/// How a device named on the command line becomes an ID: UUIDs as they are, names through `?name=`.
@Suite struct DeviceReferenceTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func device(_ id: String, status: DeviceStatus = .active, lastSeen: Date? = nil) -> Device {
        Device(id: DeviceID(id)!, name: "gw 7", hardwareID: "hw-\(id.prefix(4))", labels: [:], status: status, online: false,
               lastSeenAt: lastSeen, inventory: ["arch": "arm64"], createdAt: now, updatedAt: now)
    }

    static func page(_ devices: [Device], next: String? = nil) -> HTTPResponse {
        .json(200, (["items": .array(devices.map(\.json)), "next_cursor": next.map(JSON.string) ?? .null] as JSON).serialized())
    }

    func client(_ transport: RecordingTransport) -> FleetClient {
        FleetClient(configuration: ClientConfiguration(server: "http://fleet.test:8080", token: BearerToken("fla_test")), transport: transport)
    }

    @Test func uuidIsUsedAsItIsWithoutALookup() throws {
        let transport = RecordingTransport([])
        let reference = try #require(DeviceReference("0B5F6C1E-8D1A-4F5E-9C2B-3A4D5E6F7A8B"))
        #expect(reference == .id(DeviceID("0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b")!))
        #expect(try reference.resolve(using: client(transport)) == DeviceID("0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b")!)
        #expect(transport.requests.isEmpty)
    }

    @Test func otherTextIsANameAndEmptyTextIsNothing() {
        #expect(DeviceReference("gw-7") == .name("gw-7"))
        #expect(DeviceReference("0b5f6c1e") == .name("0b5f6c1e"), "a prefix of a UUID is a name")
        #expect(DeviceReference("") == nil)
    }

    @Test func nameResolvesThroughTheNameFilter() throws {
        let only = Self.device("7a1b0000-0000-4000-8000-000000000001")
        let transport = RecordingTransport([Self.page([only])])
        #expect(try DeviceReference.name("gw 7").resolve(using: client(transport)) == only.id)
        #expect(transport.requests.map(\.url) == ["http://fleet.test:8080/v1/devices?name=gw%207"])
    }

    @Test func fetchingByNameReturnsTheListedDeviceInOneRequest() throws {
        let only = Self.device("7a1b0000-0000-4000-8000-000000000001")
        let transport = RecordingTransport([Self.page([only])])
        #expect(try DeviceReference.name("gw 7").fetch(using: client(transport)) == only)
        #expect(transport.requests.count == 1)
    }

    @Test func noMatchSaysNoDeviceIsNamed() throws {
        let error = try #require(throws: FleetClientError.self) {
            try DeviceReference.name("gw-9").resolve(using: client(RecordingTransport([Self.page([])])))
        }
        #expect(error.kind == .unresolved)
        #expect(error.description == "no device is named 'gw-9'")
    }

    @Test func severalMatchesListTheCandidatesOnEveryPageAndAskForTheID() throws {
        let transport = RecordingTransport([
            Self.page([Self.device("7a1b0000-0000-4000-8000-000000000001", lastSeen: Self.now.addingTimeInterval(-180))], next: "p2"),
            Self.page([Self.device("7a1b0000-0000-4000-8000-000000000002", status: .pending)]),
        ])
        let error = try #require(throws: FleetClientError.self) {
            try DeviceReference.name("gw 7").resolve(using: client(transport), now: Self.now)
        }
        #expect(error.kind == .unresolved)
        #expect(error.description == "2 devices are named 'gw 7': 7a1b0000-0000-4000-8000-000000000001 (active, last seen 3m ago), "
            + "7a1b0000-0000-4000-8000-000000000002 (pending, never seen); give the ID of the one you mean")
        #expect(transport.requests.count == 2)
    }

    @Test func aDecommissionedNamesakeGivesWayToTheLiveDevice() throws {
        let old = Self.device("7a1b0000-0000-4000-8000-000000000001", status: .decommissioned)
        let new = Self.device("7a1b0000-0000-4000-8000-000000000002")
        #expect(try DeviceReference.name("gw 7").resolve(using: client(RecordingTransport([Self.page([old, new])]))) == new.id)
        #expect(try DeviceReference.name("gw 7").resolve(using: client(RecordingTransport([Self.page([old])]))) == old.id,
                "a decommissioned device is still found when it is the only one with the name")
        let twoOld = RecordingTransport([Self.page([old, Self.device("7a1b0000-0000-4000-8000-000000000003", status: .decommissioned)])])
        #expect(throws: FleetClientError.self) { try DeviceReference.name("gw 7").resolve(using: client(twoOld)) }
    }

    @Test func lookupFailuresAreThrownAsTheyAre() throws {
        let transport = RecordingTransport([.json(403, #"{"title":"Forbidden","status":403,"detail":"token lacks the viewer role"}"#)])
        let error = try #require(throws: FleetClientError.self) { try DeviceReference.name("gw 7").resolve(using: client(transport)) }
        #expect(error.status == 403)
    }
}
