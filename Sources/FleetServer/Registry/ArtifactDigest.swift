/// The SHA-256 of an artifact's bytes as 64 lower-case hex digits: its identity (artifacts are content-addressed).
struct ArtifactDigest: Hashable, Sendable, CustomStringConvertible {
    let hex: String

    /// Accepts 64 hex digits in either case; nil otherwise.
    init?(hex text: String) {
        let lowered = text.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        hex = lowered
    }

    var description: String { hex }

    /// The 32 raw bytes.
    var bytes: [UInt8] {
        let digits = Array(hex.utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        return stride(from: 0, to: 64, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    /// The strong entity tag of the artifact: its digest, quoted.
    var entityTag: String { "\"\(hex)\"" }
}
