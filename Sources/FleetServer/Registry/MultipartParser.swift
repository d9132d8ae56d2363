import Foundation

/// An incremental `multipart/form-data` parser (RFC 7578 / RFC 2046): bytes go in as they arrive, events come
/// out. It holds at most one input piece plus a boundary's length, never a whole part.
struct MultipartParser {
    /// A part's header fields, parsed.
    struct PartHeader: Equatable {
        /// The `name` parameter of `Content-Disposition: form-data`.
        let name: String
        /// The `filename` parameter, when the part is a file.
        let filename: String?
        let contentType: String?
    }

    enum Event: Equatable {
        case partBegin(PartHeader)
        /// Some of the current part's bytes; a part's data may arrive in any number of events.
        case partData([UInt8])
        case partEnd
    }

    /// Why a body is not valid multipart; the text is safe to show.
    struct Malformed: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    private enum State {
        /// Before the first delimiter (the preamble is ignored).
        case preamble
        /// Right after a delimiter: `--` ends the body, CRLF starts a part (transport padding allowed).
        case afterDelimiter
        case header
        case body
        case epilogue
    }

    static let maximumHeaderBytes = 16 * 1024

    private let delimiter: [UInt8]
    private var state = State.preamble
    private var pending: [UInt8]

    /// - Parameter boundary: the `boundary` parameter of the `Content-Type` (1 to 70 characters).
    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter may open the body without the CRLF that belongs to later ones.
        pending = Array("\r\n".utf8)
    }

    /// The boundary of a `multipart/form-data` media type, or nil when `contentType` is something else.
    static func boundary(fromContentType contentType: String) -> String? {
        var pieces = HeaderParameters.split(contentType)
        guard let type = pieces.first, type.lowercased() == "multipart/form-data" else { return nil }
        pieces.removeFirst()
        guard let boundary = HeaderParameters.parameters(pieces)["boundary"],
              (1...70).contains(boundary.utf8.count),
              boundary.utf8.allSatisfy({ (32...126).contains($0) }) else { return nil }
        return boundary
    }

    /// Consumes the next piece of the body.
    /// - Throws: `Malformed` for a part header that is not `form-data` with a name or is too long, or for
    ///   anything after the delimiter other than `--` or CRLF.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws -> [Event] {
        guard state != .epilogue else { return [] }
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        var position = 0
        parsing: while true {
            switch state {
            case .preamble:
                if let found = Self.search(delimiter, in: pending, from: position) {
                    position = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    position = max(position, pending.count - delimiter.count + 1)
                    break parsing
                }
            case .afterDelimiter:
                guard let end = pending[position...].firstIndex(where: { $0 != 32 && $0 != 9 }) else { break parsing }
                guard pending.count - end >= 2 else { break parsing }
                if pending[end] == UInt8(ascii: "-") && pending[end + 1] == UInt8(ascii: "-") {
                    state = .epilogue
                    position = pending.count
                    break parsing
                }
                guard pending[end] == 13 && pending[end + 1] == 10 else {
                    throw Malformed(description: "a multipart boundary is followed by neither CRLF nor '--'")
                }
                position = end + 2
                state = .header
            case .header:
                guard let end = Self.search(Self.headerEnd, in: pending, from: position) else {
                    guard pending.count - position <= Self.maximumHeaderBytes else {
                        throw Malformed(description: "a part header exceeds \(Self.maximumHeaderBytes) bytes")
                    }
                    break parsing
                }
                guard end - position <= Self.maximumHeaderBytes else {
                    throw Malformed(description: "a part header exceeds \(Self.maximumHeaderBytes) bytes")
                }
                events.append(.partBegin(try Self.partHeader(pending[position..<end])))
                position = end + Self.headerEnd.count
                state = .body
            case .body:
                if let found = Self.search(delimiter, in: pending, from: position) {
                    if found > position { events.append(.partData(Array(pending[position..<found]))) }
                    events.append(.partEnd)
                    position = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Keep what could be the start of a delimiter split across pieces.
                    let safe = max(position, pending.count - delimiter.count + 1)
                    if safe > position { events.append(.partData(Array(pending[position..<safe]))) }
                    position = safe
                    break parsing
                }
            case .epilogue:
                position = pending.count
                break parsing
            }
        }
        pending.removeFirst(position)
        return events
    }

    /// Call when the body is complete. - Throws: `Malformed` unless the closing delimiter was seen.
    func finish() throws {
        guard state == .epilogue else {
            throw Malformed(description: state == .preamble
                ? "the body holds no multipart boundary '\(String(decoding: delimiter.dropFirst(4), as: UTF8.self))'"
                : "the multipart body ends before its closing boundary")
        }
    }

    private static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)

    /// The first index of `needle` in `haystack` at or after `start`.
    static func search(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, start >= 0, haystack.count - start >= needle.count else { return nil }
        let last = haystack.count - needle.count
        return haystack.withUnsafeBytes { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var index = start
            while index <= last {
                guard let hit = memchr(base + index, Int32(first), last - index + 1) else { return nil }
                let candidate = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + candidate, needle, needle.count) == 0 { return candidate }
                index = candidate + 1
            }
            return nil
        }
    }

    /// Parses the header lines of one part.
    private static func partHeader(_ bytes: ArraySlice<UInt8>) throws -> PartHeader {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Malformed(description: "a part header is not valid UTF-8")
        }
        var disposition: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else {
                throw Malformed(description: "a part header line has no ':'")
            }
            let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition": disposition = value
            case "content-type": contentType = value
            default: continue
            }
        }
        guard let disposition else { throw Malformed(description: "a part has no Content-Disposition") }
        var pieces = HeaderParameters.split(disposition)
        guard pieces.first?.lowercased() == "form-data" else {
            throw Malformed(description: "a part's Content-Disposition is not form-data")
        }
        pieces.removeFirst()
        let parameters = HeaderParameters.parameters(pieces)
        guard let name = parameters["name"], !name.isEmpty else {
            throw Malformed(description: "a part's Content-Disposition has no name")
        }
        return PartHeader(name: name, filename: parameters["filename"], contentType: contentType)
    }
}

/// `type; key=value; key="quoted value"` as in Content-Type and Content-Disposition.
enum HeaderParameters {
    /// Splits at semicolons outside quoted strings; pieces are trimmed.
    static func split(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";" && !quoted {
                pieces.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current.trimmingCharacters(in: .whitespaces))
        return pieces.filter { !$0.isEmpty }
    }

    /// `key=value` pieces with lower-cased keys and unquoted values; the first of a repeated key wins.
    static func parameters(_ pieces: [String]) -> [String: String] {
        var parameters: [String: String] = [:]
        for piece in pieces {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                var unquoted = ""
                var escaped = false
                for character in value.dropFirst().dropLast() {
                    if escaped || character != "\\" {
                        unquoted.append(character)
                        escaped = false
                    } else {
                        escaped = true
                    }
                }
                value = unquoted
            }
            if parameters[key] == nil { parameters[key] = value }
        }
        return parameters
    }
}
