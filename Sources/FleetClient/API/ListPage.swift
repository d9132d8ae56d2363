import FleetJSON

/// One page of a listing: `{"items": [...], "next_cursor": "..." | null}`.
public struct ListPage<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Pass it back to get the next page; nil on the last page. Opaque.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Fetches pages, starting at `cursor`, until the last one, and returns all their items.
    /// - Parameters:
    ///   - fetch: loads the page after a cursor (nil for the first page).
    public static func collect(from cursor: String? = nil, _ fetch: (String?) throws -> ListPage<Item>) rethrows -> [Item] {
        var items: [Item] = []
        var cursor = cursor
        repeat {
            let page = try fetch(cursor)
            items += page.items
            // A server answering the same cursor again would loop forever; stop instead.
            guard page.nextCursor != cursor else { break }
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }
}

extension ListPage: JSONEncodable where Item: JSONEncodable {
    public var json: JSON {
        ["items": .array(items.map(\.json)), "next_cursor": nextCursor.map(JSON.string) ?? .null]
    }
}
