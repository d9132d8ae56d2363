import Crypto
import FleetHTTP
import Foundation

/// An upload to a registry (`POST /v1/programs`, `POST /v1/models`) as it was received: the small form
/// fields, and the artifact staged in a temporary file with its SHA-256.
struct ArtifactUpload: Sendable {
    let name: String
    let version: String
    /// The optional JSON document (`manifest`, `metadata`) as sent.
    let document: [UInt8]?
    let signature: String?
    let artifact: StagedFile
    /// Lower-case hex SHA-256 of the artifact's bytes.
    let sha256: String

    /// The document, unless it is absent or only whitespace.
    var nonEmptyDocument: [UInt8]? {
        document.flatMap { $0.contains(where: { ![9, 10, 13, 32].contains($0) }) ? $0 : nil }
    }
}

/// Streams a `multipart/form-data` registry upload: `name`, `version`, the optional document and `signature`
/// are buffered (up to 64 KiB each), the artifact field (`object`, `model`) goes to a `StagedFile` and through
/// SHA-256 as it arrives (up to the registry's `maximumArtifactBytes`).
final class ArtifactUploadSink: UploadSink {
    static let smallPartLimit = 64 * 1024

    private let artifactField: String
    private let artifactLimit: Int64?
    private let documentField: String
    private let fieldNames: Set<String>
    private var parser: MultipartParser
    private let staging: StagedFile
    private var hasher = SHA256()
    private var fields: [String: [UInt8]] = [:]
    private var current: String?
    private var seen: Set<String> = []

    /// - Throws: `APIError` 415 unless `contentType` is `multipart/form-data` with a boundary, 500 when the
    ///   staging file cannot be made.
    init<ID>(for registry: Registry<ID>, contentType: String?, stagingDirectory: String) throws {
        guard let contentType, let boundary = MultipartParser.boundary(fromContentType: contentType) else {
            throw APIError(status: 415, title: "Unsupported Media Type",
                           detail: "send the \(registry.noun) as multipart/form-data with a boundary, not \(contentType ?? "no Content-Type")")
        }
        artifactField = registry.artifactField
        artifactLimit = registry.maximumArtifactBytes
        documentField = registry.documentField
        fieldNames = ["name", "version", artifactField, documentField, "signature"]
        parser = MultipartParser(boundary: boundary)
        staging = try StagedFile(directory: stagingDirectory)
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        let events: [MultipartParser.Event]
        do { events = try parser.feed(chunk) } catch let error as MultipartParser.Malformed {
            throw APIError.badRequest("malformed multipart body: \(error.description)")
        }
        for event in events {
            switch event {
            case .partBegin(let header):
                guard fieldNames.contains(header.name) else {
                    throw APIError.badRequest("unknown form field '\(header.name)': send name, version, \(artifactField), and optionally \(documentField) and signature")
                }
                guard seen.insert(header.name).inserted else {
                    throw APIError.badRequest("form field '\(header.name)' is sent more than once")
                }
                current = header.name
                if header.name != artifactField { fields[header.name] = [] }
            case .partData(let bytes):
                guard let current else { continue }
                if current == artifactField {
                    if let artifactLimit, staging.size + UInt64(bytes.count) > UInt64(artifactLimit) {
                        throw Self.tooLarge(current, limit: artifactLimit)
                    }
                    try bytes.withUnsafeBytes { try staging.append($0) }
                    hasher.update(data: bytes)
                } else {
                    guard (fields[current]?.count ?? 0) + bytes.count <= Self.smallPartLimit else {
                        throw Self.tooLarge(current, limit: Int64(Self.smallPartLimit))
                    }
                    fields[current, default: []].append(contentsOf: bytes)
                }
            case .partEnd:
                current = nil
            }
        }
    }

    func finish() throws -> any Sendable {
        do { try parser.finish() } catch let error as MultipartParser.Malformed {
            throw APIError.badRequest("malformed multipart body: \(error.description)")
        }
        for required in ["name", "version", artifactField] where !seen.contains(required) {
            throw APIError.badRequest("form field '\(required)' is missing: send name, version and \(artifactField)")
        }
        return ArtifactUpload(
            name: try text("name"), version: try text("version"), document: fields[documentField],
            signature: try fields["signature"].map { _ in try text("signature") }, artifact: staging,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    private static func tooLarge(_ field: String, limit: Int64) -> APIError {
        APIError(status: 413, title: "Content Too Large", detail: "form field '\(field)' exceeds \(limit) bytes")
    }

    private func text(_ field: String) throws -> String {
        guard let text = String(validating: fields[field] ?? [], as: UTF8.self) else {
            throw APIError.badRequest("form field '\(field)' is not UTF-8 text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
