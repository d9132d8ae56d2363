import Glibc
import FleetCore

/// The `signature` form field of a program upload, from a signature file's bytes.
///
/// The file may hold the base64 text (`... | base64 -w0 > prog.sig`) or the 64 raw bytes that
/// `openssl pkeyutl -sign` writes; either way the result is canonical base64 of 64 bytes.
public enum ProgramSignatureText {
    public struct Invalid: Error, CustomStringConvertible, Sendable, Equatable {
        public let byteCount: Int
        public var description: String {
            "expected a 64-byte Ed25519 signature, raw or base64-encoded; the file has \(byteCount) bytes that are neither"
        }
    }

    public static func normalize(_ bytes: [UInt8]) throws -> String {
        if let text = String(validating: bytes, as: UTF8.self) {
            if let decoded = Base64.decode(text.trimmed), decoded.count == 64 { return Base64.encode(decoded) }
        }
        guard bytes.count == 64 else { throw Invalid(byteCount: bytes.count) }
        return Base64.encode(bytes)
    }
}
