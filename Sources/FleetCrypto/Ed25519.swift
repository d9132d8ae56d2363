/// Ed25519 signature verification (RFC 8032, section 5.1.7), agreeing with BoringSSL's `ED25519_verify`.
///
/// Only verification is provided: the signer (the server, through swift-crypto) holds the private keys.
/// Verification handles public data only and is not constant time.
public enum Ed25519 {
    /// The size of an encoded public key in bytes.
    public static let publicKeyByteCount = 32

    /// The size of a signature in bytes: the encoded point R, then the scalar S.
    public static let signatureByteCount = 64
}
