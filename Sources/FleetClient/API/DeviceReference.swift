import FoundationEssentials
import FleetCore

/// A device as a person names it: by its ID, or by its name. Names are not unique, so a name is looked up
/// with `GET /v1/devices?name=` and must match exactly one device; decommissioned devices only count when
/// no other device has the name (a name is often reused for the device that replaced one).
public enum DeviceReference: Sendable, Equatable, CustomStringConvertible {
    case id(DeviceID)
    case name(String)

    /// A UUID is an ID; any other non-empty text is a name. Nil for empty text.
    public init?(_ text: String) {
        if let id = DeviceID(text) {
            self = .id(id)
        } else if text.isEmpty {
            return nil
        } else {
            self = .name(text)
        }
    }

    /// The ID or the name, as given.
    public var description: String {
        switch self {
        case .id(let id): id.description
        case .name(let name): name
        }
    }

    /// The device's ID: an ID as it is, without asking the server; a name through the server.
    ///
    /// - Parameters:
    ///   - now: dates the candidates' "last seen" when the name is ambiguous.
    /// - Throws: `FleetClientError` of kind `.unresolved` when no device or several devices have the name;
    ///   the message of the latter lists them (id, status, last seen). Errors of the lookup as they are.
    public func resolve(using client: FleetClient, now: Date = Date()) throws -> DeviceID {
        switch self {
        case .id(let id): id
        case .name(let name): try Self.onlyDevice(named: name, using: client, now: now).id
        }
    }

    /// The device itself: fetched by its ID, or the one device with the name (one request either way).
    /// - Throws: as `resolve(using:now:)`, and `.http(404)` for an ID no device has.
    public func fetch(using client: FleetClient, now: Date = Date()) throws -> Device {
        switch self {
        case .id(let id): try client.device(id)
        case .name(let name): try Self.onlyDevice(named: name, using: client, now: now)
        }
    }

    private static func onlyDevice(named name: String, using client: FleetClient, now: Date) throws -> Device {
        let all = try client.allDevices(DeviceQuery(name: name))
        let live = all.filter { $0.status != .decommissioned }
        let matches = live.isEmpty ? all : live
        guard matches.count <= 1 else {
            let candidates = matches.map { device in
                let seen = device.lastSeenAt.map { "last seen \(RelativeTime.describe($0, now: now))" } ?? "never seen"
                return "\(device.id) (\(device.status.rawValue), \(seen))"
            }
            throw FleetClientError(kind: .unresolved, title: "\(matches.count) devices are named '\(name)'",
                                   detail: candidates.joined(separator: ", ") + "; give the ID of the one you mean")
        }
        guard let device = matches.first else {
            throw FleetClientError(kind: .unresolved, title: "no device is named '\(name)'", detail: "")
        }
        return device
    }
}
