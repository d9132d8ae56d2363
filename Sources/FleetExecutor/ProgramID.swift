import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// Identifies a program in the server's registry (`POST /v1/programs` answers it as `id`).
public struct ProgramID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// The SHA-256 of an artifact, as 32 bytes; written as 64 lower-case hex digits.
public struct ArtifactDigest: Hashable, Sendable, CustomStringConvertible, JSONDecodable, JSONEncodable {
    public let bytes: [UInt8]

    /// Parses 64 hex digits (either case); nil otherwise.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "a SHA-256 digest has 32 bytes")
        self.bytes = bytes
    }

    public init(json: JSON, path: String) throws {
        let text = try String(json: json, path: path)
        guard let digest = ArtifactDigest(hex: text) else {
            throw JSONError(path: path, message: "'\(text)' is not a SHA-256 digest (64 hex digits)")
        }
        self = digest
    }

    public var hex: String { bytes.hexString }
    public var description: String { hex }
    public var json: JSON { .string(hex) }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}
