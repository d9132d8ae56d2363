extension Ed25519 {
    /// A public key that checks Ed25519 signatures.
    ///
    /// Decoding happens once, in the initializer; verifying then costs one double scalar multiplication.
    public struct PublicKey: Sendable, Hashable {
        /// The 32-byte encoding the key was created from, unchanged.
        public let rawRepresentation: [UInt8]

        /// -A, the negated key point, so that verification computes [S]B + [k](-A).
        private let negatedPoint: EdwardsPoint

        /// Decodes a 32-byte public key.
        ///
        /// Decoding follows BoringSSL, which swift-crypto uses: a y coordinate at or above 2^255 - 19 and a
        /// negative zero x are accepted, as they are by BoringSSL (RFC 8032 would refuse them).
        /// - Parameter rawRepresentation: The key's encoding: y little-endian with x's sign in the top bit.
        /// - Throws: ``Ed25519/PublicKeyError/incorrectByteCount(_:)`` unless there are exactly 32 bytes,
        ///   ``Ed25519/PublicKeyError/notACurvePoint`` if they encode no curve point.
        public init(rawRepresentation: some Collection<UInt8>) throws(PublicKeyError) {
            let bytes = Array(rawRepresentation)
            guard bytes.count == Ed25519.publicKeyByteCount else {
                throw .incorrectByteCount(bytes.count)
            }
            guard let point = EdwardsPoint(encoding: bytes) else {
                throw .notACurvePoint
            }
            self.rawRepresentation = bytes
            self.negatedPoint = -point
        }

        /// Returns whether `signature` is this key's Ed25519 signature of `message`.
        ///
        /// As BoringSSL's `ED25519_verify`: false unless the signature is 64 bytes with S below the group
        /// order L; otherwise true exactly when the canonical encoding of [S]B - [k]A equals the signature's
        /// R bytes, where k = SHA-512(R ‖ A ‖ message) mod L (the cofactorless equation).
        /// - Parameters:
        ///   - signature: R (32 bytes) followed by S (32 bytes, little-endian).
        ///   - message: The signed bytes, of any length.
        public func isValidSignature(_ signature: some Collection<UInt8>, for message: some Collection<UInt8>) -> Bool {
            guard signature.count == Ed25519.signatureByteCount else { return false }
            let signature = Array(signature)
            let encodedR = signature[0..<32]
            guard let s = Scalar(canonical: signature[32..<64]) else { return false }

            var hasher = SHA512()
            hasher.update(encodedR)
            hasher.update(rawRepresentation)
            hasher.update(message)
            let k = Scalar(reducing: hasher.finalize())

            let candidateR = EdwardsPoint.baseMultiple(s, plus: k, times: negatedPoint)
            return candidateR.encoded.elementsEqual(encodedR)
        }

        public static func == (a: PublicKey, b: PublicKey) -> Bool {
            a.rawRepresentation == b.rawRepresentation
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(rawRepresentation)
        }
    }
}
