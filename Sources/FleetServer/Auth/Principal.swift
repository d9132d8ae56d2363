import FleetCore

/// Who is calling, after authentication.
enum Principal: Sendable {
    case api(id: TokenID, name: String, role: Role)
    case device(id: DeviceID, status: DeviceStatus)

    var role: Role {
        switch self {
        case .api(_, _, let role): role
        case .device: .device
        }
    }

    /// How the audit log names the caller.
    var actor: String {
        switch self {
        case .api(let id, let name, _): "token:\(id) (\(name))"
        case .device(let id, _): "device:\(id)"
        }
    }
}
