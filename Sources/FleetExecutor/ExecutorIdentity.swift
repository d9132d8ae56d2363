import FoundationEssentials
import Glibc
import FleetSystem
import FleetCore
import FleetJSON

/// Who this executor is to the server, stored as `identity.json` (mode 0600) in the state directory.
public struct ExecutorIdentity: Sendable, Equatable {
    public var server: String
    public var deviceID: DeviceID
    public var deviceToken: String
    public var hardwareID: String

    public init(server: String, deviceID: DeviceID, deviceToken: String, hardwareID: String) {
        self.server = server
        self.deviceID = deviceID
        self.deviceToken = deviceToken
        self.hardwareID = hardwareID
    }

    static let fileName = "identity.json"

    public static func load(from state: StateDirectory) throws -> ExecutorIdentity {
        let file = state.file(fileName)
        guard let data = try FileSystem.readIfPresent(file) else {
            throw ExecutorError("not enrolled: \(file) does not exist; run `fleet-executor enroll` first")
        }
        var reader = try JSONObjectReader(try JSON.parse(data))
        let identity = ExecutorIdentity(server: try reader.require("server"), deviceID: try reader.require("device_id"),
                                        deviceToken: try reader.require("device_token"), hardwareID: try reader.require("hardware_id"))
        try reader.finish()
        return identity
    }

    public func save(to state: StateDirectory) throws {
        try state.prepare()
        let json: JSON = ["server": .string(server), "device_id": deviceID.json, "device_token": .string(deviceToken),
                          "hardware_id": .string(hardwareID)]
        try FileSystem.writeAtomically(Array(json.prettyPrinted().utf8), to: state.file(Self.fileName))
    }

    /// A stable hardware id: the machine id, else the DMI product UUID, else one generated once and kept.
    public static func hardwareID(state: StateDirectory) throws -> String {
        for path in ["/etc/machine-id", "/var/lib/dbus/machine-id", "/sys/class/dmi/id/product_uuid"] {
            if let text = FileSystem.readText(path) {
                let trimmed = text.trimmed
                if !trimmed.isEmpty { return trimmed }
            }
        }
        let file = state.file("hardware-id")
        if let text = FileSystem.readText(file), !text.isEmpty { return text }
        let generated = UUID().uuidString.lowercased()
        try state.prepare()
        try FileSystem.writeAtomically(Array(generated.utf8), to: file)
        return generated
    }
}
