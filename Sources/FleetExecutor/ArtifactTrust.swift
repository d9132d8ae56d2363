import Crypto
import FoundationEssentials
import Glibc
import FleetSystem
import FleetCore
import FleetJSON

/// Checks downloaded program objects: the SHA-256 always, and an Ed25519 signature when trusted keys are
/// configured (`--trusted-key`). The signed message is the object's SHA-256 as 32 raw bytes, as the
/// registry documents it.
public struct ArtifactTrust: Sendable {
    /// Public keys of 32 bytes each.
    private let keys: [Curve25519.Signing.PublicKey]

    /// Trusts no key: objects need only match their digest.
    public static let digestOnly = ArtifactTrust(keys: [])

    init(keys: [Curve25519.Signing.PublicKey]) {
        self.keys = keys
    }

    /// Reads public keys: files holding a base64 raw 32-byte Ed25519 key (surrounding whitespace ignored).
    /// - Throws: `ExecutorError` naming the file that is unreadable or not a key.
    public init(keyFiles paths: [String]) throws {
        keys = try paths.map { path in
            guard let text = FileSystem.readText(path)?.trimmed else {
                throw ExecutorError("cannot read the trusted key \(path)")
            }
            guard let raw = Base64.decode(text), raw.count == 32,
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw ExecutorError("\(path) does not hold a base64-encoded 32-byte Ed25519 public key")
            }
            return key
        }
    }

    /// Decodes a registry signature: base64 (padding optional) of 64 bytes.
    /// - Throws: `JSONError` at `path` otherwise.
    public static func signature(base64 text: String, path: String) throws -> [UInt8] {
        guard let bytes = Base64.decode(text.trimmed), bytes.count == 64 else {
            throw JSONError(path: path, message: "must be a base64-encoded 64-byte Ed25519 signature")
        }
        return bytes
    }

    /// Whether signatures are required.
    public var requiresSignature: Bool { !keys.isEmpty }

    /// - Parameter kind: what the bytes are, for messages (`program`, `model`).
    /// - Throws: `ExecutorError` when the bytes do not hash to `digest`, or when a signature is required and
    ///   missing or not made by any trusted key.
    public func verify(_ bytes: [UInt8], digest: ArtifactDigest, signature: [UInt8]?, kind: String = "program") throws {
        let actual = ArtifactDigest(bytes: Array(SHA256.hash(data: bytes)))
        guard actual == digest else {
            throw ExecutorError("the downloaded \(kind)'s SHA-256 is \(actual), not the expected \(digest); refusing to load it")
        }
        guard requiresSignature else { return }
        guard let signature else {
            throw ExecutorError("this executor requires signed \(kind)s and the command carries no signature")
        }
        let signed = keys.contains { key in
            key.isValidSignature(signature, for: digest.bytes)
        }
        guard signed else {
            throw ExecutorError("the \(kind)'s signature was not made by any trusted key; refusing to load it")
        }
    }
}
