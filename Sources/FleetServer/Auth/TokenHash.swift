import Crypto
import FleetCore

/// Secrets are stored only as SHA-256 digests.
enum TokenHash {
    static func digest(_ secret: TokenSecret) -> [UInt8] {
        Array(SHA256.hash(data: Array(secret.text.utf8)))
    }
}
