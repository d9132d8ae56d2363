extension Ed25519 {
    /// Why bytes are not an Ed25519 public key. Public keys are not secret, so the description may be shown.
    public enum PublicKeyError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The key was not 32 bytes long; the associated value is the length given.
        case incorrectByteCount(Int)
        /// The 32 bytes do not encode a point of the curve.
        case notACurvePoint

        public var description: String {
            switch self {
            case .incorrectByteCount(let count):
                "an Ed25519 public key is \(Ed25519.publicKeyByteCount) bytes, not \(count)"
            case .notACurvePoint:
                "the bytes do not encode an Ed25519 curve point"
            }
        }
    }
}
