import Crypto
import Foundation
import Testing
@testable import FleetExecutor

@Suite struct ArtifactTrustTests {
    let object: [UInt8] = Array("\u{7f}ELF pretend object".utf8)
    var digest: ArtifactDigest { ArtifactDigest(bytes: Array(SHA256.hash(data: object))) }

    func keyFile(_ key: Curve25519.Signing.PublicKey) throws -> String {
        let path = NSTemporaryDirectory() + "fleet-key-\(UUID().uuidString).pub"
        try (key.rawRepresentation.base64EncodedString() + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func digestMustMatch() throws {
        try ArtifactTrust.digestOnly.verify(object, digest: digest, signature: nil)
        #expect(throws: ExecutorError.self) {
            try ArtifactTrust.digestOnly.verify(object + [0], digest: digest, signature: nil)
        }
    }

    @Test func withTrustedKeysOnlySignedObjectsPass() throws {
        let signer = Curve25519.Signing.PrivateKey()
        let stranger = Curve25519.Signing.PrivateKey()
        let path = try keyFile(signer.publicKey)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trust = try ArtifactTrust(keyFiles: [path])
        #expect(trust.requiresSignature)

        let good = [UInt8](try signer.signature(for: Data(digest.bytes)))
        try trust.verify(object, digest: digest, signature: good)
        #expect(throws: ExecutorError.self, "unsigned") { try trust.verify(object, digest: digest, signature: nil) }
        let foreign = [UInt8](try stranger.signature(for: Data(digest.bytes)))
        #expect(throws: ExecutorError.self, "signed by another key") { try trust.verify(object, digest: digest, signature: foreign) }
        let overHex = [UInt8](try signer.signature(for: Data(digest.hex.utf8)))
        #expect(throws: ExecutorError.self, "signed over the hex text, not the raw digest") {
            try trust.verify(object, digest: digest, signature: overHex)
        }
    }

    @Test func unusableKeyFilesAreReported() throws {
        let path = NSTemporaryDirectory() + "fleet-key-\(UUID().uuidString).pub"
        try "not a key".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ExecutorError.self) { try ArtifactTrust(keyFiles: [path]) }
        #expect(throws: ExecutorError.self) { try ArtifactTrust(keyFiles: ["/nonexistent/key.pub"]) }
    }

    @Test func digestsParseFromHexOnly() {
        #expect(ArtifactDigest(hex: String(repeating: "0F", count: 32))?.hex == String(repeating: "0f", count: 32))
        #expect(ArtifactDigest(hex: String(repeating: "g", count: 64)) == nil)
        #expect(ArtifactDigest(hex: "abcd") == nil)
    }
}
