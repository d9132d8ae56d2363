import Crypto
import Foundation

/// An optional Ed25519 signature uploaded with a program object.
///
/// The signed message is the object's SHA-256 digest as 32 raw bytes (not its hex text): sign with
/// `openssl dgst -sha256 -binary prog.o > digest && openssl pkeyutl -sign -rawin -inkey key.pem -in digest`
/// and send the 64-byte signature base64-encoded. The server stores and shows it; executors holding trusted
/// public keys verify it before loading.
struct ProgramSignature: Sendable, Equatable {
    typealias PublicKey = Curve25519.Signing.PublicKey

    /// The 64 signature bytes.
    let bytes: [UInt8]

    /// Parses standard base64 (padding optional, surrounding whitespace ignored).
    /// - Throws: `APIError` 400 unless it decodes to exactly 64 bytes.
    init(base64 text: String) throws {
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while trimmed.count % 4 != 0 { trimmed += "=" }
        guard let data = Data(base64Encoded: trimmed), data.count == 64 else {
            throw APIError.badRequest("form field 'signature' must be a base64-encoded 64-byte Ed25519 signature")
        }
        bytes = [UInt8](data)
    }

    /// Canonical base64, as stored and shown.
    var base64: String { Data(bytes).base64EncodedString() }

    /// Whether this is a valid signature by `publicKey` of the object with SHA-256 `digest` (32 raw bytes).
    func verifies(digest: [UInt8], publicKey: PublicKey) -> Bool {
        publicKey.isValidSignature(Data(bytes), for: Data(digest))
    }
}
