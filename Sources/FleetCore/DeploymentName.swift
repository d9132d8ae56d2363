import FleetJSON

/// Names of deployments on a device (programs and models), which are also one pin path component:
/// 1 to 64 of `[A-Za-z0-9._-]`, starting with a letter or digit. Commands, policies and the executor check
/// them the same way.
public enum DeploymentName {
    public static let maximumLength = 64

    /// - Throws: `JSONError` at `path`.
    public static func check(_ name: String, path: String = "name", maxLength: Int = maximumLength) throws {
        let bytes = Array(name.utf8)
        let valid = (1...maxLength).contains(bytes.count) && bytes.enumerated().allSatisfy { index, byte in
            let alphanumeric = (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
            return alphanumeric || (index > 0 && [45, 46, 95].contains(byte))
        }
        guard valid else {
            throw JSONError(path: path, message: "'\(name)' must be 1 to \(maxLength) letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
    }
}
