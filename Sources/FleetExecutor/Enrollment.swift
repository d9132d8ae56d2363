import Glibc
import FleetClient
import FleetCore
import FleetJSON

/// `fleet-executor enroll`: trades an enrolment token for this device's own credential.
public enum Enrollment {
    /// - Parameter hardwareID: overrides the probed id (the machine id), e.g. for several executors on one host.
    public static func enroll(server: String, enrollmentToken: String, name: String?, hardwareID override: String? = nil,
                              state: StateDirectory) throws -> (ExecutorIdentity, String) {
        let server = try ClientConfiguration.normalizeServer(server)
        let hardwareID = try override ?? ExecutorIdentity.hardwareID(state: state)
        let client = FleetClient(configuration: ClientConfiguration(server: server, token: nil))
        var body: [String: JSON] = ["enrollment_token": .string(enrollmentToken), "hardware_id": .string(hardwareID),
                                    "inventory": Inventory.probe()]
        if let name { body["name"] = .string(name) }
        let answer = try client.raw(method: .post, path: "/v1/enroll", body: .object(body))
        guard let idText = answer["device_id"]?.stringValue, let id = DeviceID(idText),
              let token = answer["device_token"]?.stringValue else {
            throw ExecutorError("the server's enrolment answer lacks device_id or device_token")
        }
        let identity = ExecutorIdentity(server: server, deviceID: id, deviceToken: token, hardwareID: hardwareID)
        try identity.save(to: state)
        return (identity, answer["status"]?.stringValue ?? "active")
    }
}
