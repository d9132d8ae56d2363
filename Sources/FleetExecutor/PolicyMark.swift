import FleetJSON

/// Says that a deployment was made because a policy names it, and from which desired payload: kept beside the
/// deployment's record (`<name>.policy`), so that a restarted executor adopts what it had converged on instead
/// of loading it again, and still leaves alone what direct commands loaded.
public struct PolicyMark: Sendable, Equatable {
    /// `PayloadFingerprint` of the normalised request the deployment was made from.
    public let fingerprint: String

    public init(fingerprint: String) {
        self.fingerprint = fingerprint
    }

    /// - Throws: `JSONError` naming the member at fault.
    init(json: JSON) throws {
        var reader = try JSONObjectReader(json)
        fingerprint = try reader.require("fingerprint")
        try reader.finish()
    }

    var json: JSON { ["fingerprint": .string(fingerprint)] }

    /// True when the mark was written for the deployment whose request has `fingerprint`; a direct command that
    /// changed the deployment since leaves a mark that no longer matches, and the deployment is no policy's.
    func covers(_ fingerprint: String) -> Bool { self.fingerprint == fingerprint }
}
