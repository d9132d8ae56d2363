import FleetJSON

/// An opaque pagination cursor: the sort key of the last item of a page, base64url-encoded JSON.
public struct Cursor: Sendable, Equatable {
    public let values: [String]

    public init(_ values: [String]) { self.values = values }

    public var encoded: String {
        Base64.encode(JSON.array(values.map(JSON.string)).serializedBytes(), urlSafe: true, padding: false)
    }

    /// Decodes a cursor this server produced with `arity` values; nil when it is not one.
    public init?(encoded text: String, arity: Int) {
        guard text.count <= 1024, !text.contains("="), let bytes = Base64.decode(text),
              let json = try? JSON.parse(bytes), let items = json.arrayValue, items.count == arity
        else { return nil }
        let strings = items.compactMap(\.stringValue)
        guard strings.count == arity else { return nil }
        values = strings
    }
}

/// One page of a listing.
public struct Page<Item: JSONEncodable & Sendable>: Sendable, JSONEncodable {
    public var items: [Item]
    public var nextCursor: Cursor?

    public init(items: [Item], nextCursor: Cursor?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    public var json: JSON {
        ["items": .array(items.map { $0.json }), "next_cursor": nextCursor.map { .string($0.encoded) } ?? .null]
    }
}

/// `?limit=` rules: default 100, at most 1000.
public enum PageLimit {
    public static let `default` = 100
    public static let maximum = 1000
}
