import FleetJSON

/// Identifies a desired item's payload, so that the executor can tell whether what runs is what is desired.
public enum PayloadFingerprint {
    /// The first 128 bits of the SHA-256 of `payload`'s canonical serialisation (sorted keys, shortest numbers),
    /// in hex: the same payload gives the same fingerprint whatever order its keys were built in.
    public static func of(_ payload: JSON) -> String {
        DesiredState.revision(of: payload)
    }
}
