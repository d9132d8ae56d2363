/// The parts of a `multipart/form-data` body, in order. File parts name a path that the transport
/// streams while sending; nothing here reads the file.
public struct MultipartForm: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public enum Content: Sendable, Equatable {
            /// Bytes held in memory: small fields such as names or a manifest.
            case bytes([UInt8])
            /// A file, read a piece at a time while the body is sent.
            case file(path: String)
        }

        /// The `name` of `Content-Disposition: form-data`.
        public var name: String
        public var content: Content
        /// The `filename` parameter; for file parts nil means the path's last component.
        public var filename: String?
        /// The part's `Content-Type`; nil leaves the transport's default (`text/plain` for bytes,
        /// `application/octet-stream` for files).
        public var contentType: String?

        public init(name: String, content: Content, filename: String? = nil, contentType: String? = nil) {
            self.name = name
            self.content = content
            self.filename = filename
            self.contentType = contentType
        }
    }

    public private(set) var parts: [Part] = []

    public init() {}

    /// Adds a text field.
    public mutating func append(_ name: String, text: String) {
        parts.append(Part(name: name, content: .bytes(Array(text.utf8))))
    }

    /// Adds in-memory bytes, optionally announced as a file.
    public mutating func append(_ name: String, bytes: [UInt8], filename: String? = nil, contentType: String? = nil) {
        parts.append(Part(name: name, content: .bytes(bytes), filename: filename, contentType: contentType))
    }

    /// Adds a file that is streamed from `path` when the form is sent.
    public mutating func append(_ name: String, filePath path: String, filename: String? = nil,
                                contentType: String? = "application/octet-stream") {
        parts.append(Part(name: name, content: .file(path: path), filename: filename, contentType: contentType))
    }

    /// The part named `name`, if any.
    public func part(_ name: String) -> Part? { parts.first { $0.name == name } }
}
