/// SHA-256 (FIPS 180-4), one-shot or streaming.
///
/// Streaming gives the same digest as one-shot hashing however the input is split:
///
///     var hasher = SHA256()
///     hasher.update(header)
///     hasher.update(body)
///     let digest = hasher.finalize()  // == SHA256.hash(header + body)
public struct SHA256: Sendable {
    /// The size of a digest in bytes.
    public static let byteCount = 32

    private var hasher = BlockHasher<SHA256Compressor>()

    /// Creates a hasher that has absorbed no input.
    public init() {}

    /// Absorbs `bytes`.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice<UInt8>`, `UnsafeRawBufferPointer`, …) are hashed in place
    /// without copying; other collections are gathered through a small stack buffer.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        hasher.update(bytes)
    }

    /// Returns the 32-byte digest of everything absorbed so far.
    public consuming func finalize() -> [UInt8] {
        hasher.finalize()
    }

    /// Returns the 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
