import Crypto
import FleetHTTP
import Foundation

/// A program upload as `POST /v1/programs` received it: the small form fields, and the object staged in a
/// temporary file with its SHA-256.
struct ProgramUpload: Sendable {
    let name: String
    let version: String
    let manifest: [UInt8]?
    let signature: String?
    let object: StagedFile
    /// Lower-case hex SHA-256 of the object's bytes.
    let sha256: String
}

/// Streams a `multipart/form-data` program upload: `name`, `version`, optional `manifest` and `signature` are
/// buffered (up to 64 KiB each), `object` goes to a `StagedFile` and through SHA-256 as it arrives.
final class ProgramUploadSink: UploadSink {
    static let smallPartLimit = 64 * 1024
    static let fields: Set<String> = ["name", "version", "object", "manifest", "signature"]

    private var parser: MultipartParser
    private let staging: StagedFile
    private var hasher = SHA256()
    private var fields: [String: [UInt8]] = [:]
    private var current: String?
    private var seen: Set<String> = []

    /// - Throws: `APIError` 415 unless `contentType` is `multipart/form-data` with a boundary, 500 when the
    ///   staging file cannot be made.
    init(contentType: String?, stagingDirectory: String) throws {
        guard let contentType, let boundary = MultipartParser.boundary(fromContentType: contentType) else {
            throw APIError(status: 415, title: "Unsupported Media Type",
                           detail: "send the program as multipart/form-data with a boundary, not \(contentType ?? "no Content-Type")")
        }
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
                guard Self.fields.contains(header.name) else {
                    throw APIError.badRequest("unknown form field '\(header.name)': send name, version, object, and optionally manifest and signature")
                }
                guard seen.insert(header.name).inserted else {
                    throw APIError.badRequest("form field '\(header.name)' is sent more than once")
                }
                current = header.name
                if header.name != "object" { fields[header.name] = [] }
            case .partData(let bytes):
                guard let current else { continue }
                if current == "object" {
                    try bytes.withUnsafeBytes { try staging.append($0) }
                    hasher.update(data: bytes)
                } else {
                    guard (fields[current]?.count ?? 0) + bytes.count <= Self.smallPartLimit else {
                        throw APIError(status: 413, title: "Content Too Large",
                                       detail: "form field '\(current)' exceeds \(Self.smallPartLimit) bytes")
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
        for required in ["name", "version", "object"] where !seen.contains(required) {
            throw APIError.badRequest("form field '\(required)' is missing: send name, version and object")
        }
        return ProgramUpload(
            name: try text("name"), version: try text("version"), manifest: fields["manifest"],
            signature: try fields["signature"].map { _ in try text("signature") }, object: staging,
            sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    private func text(_ field: String) throws -> String {
        guard let text = String(validating: fields[field] ?? [], as: UTF8.self) else {
            throw APIError.badRequest("form field '\(field)' is not UTF-8 text")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
