import FleetCore
import FleetJSON

/// A device as a listing prints it in JSON or YAML: everything but the inventory (which holds, among other
/// things, the names of hundreds of BPF helpers), unless the inventory is asked for.
public struct ListedDevice: Sendable, Equatable, JSONEncodable {
    public var device: Device
    public var includesInventory: Bool

    public init(_ device: Device, includesInventory: Bool) {
        self.device = device
        self.includesInventory = includesInventory
    }

    public var json: JSON {
        guard !includesInventory, case .object(var members) = device.json else { return device.json }
        members["inventory"] = nil
        return .object(members)
    }
}
