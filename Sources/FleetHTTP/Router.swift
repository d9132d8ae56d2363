/// Method + path-pattern router, generic over what a route carries (handler, required role, ...).
///
/// Patterns are made of literal segments and `{name}` segments ("/v1/devices/{id}/commands"). A trailing slash
/// is ignored on both patterns and paths. Methods match exactly (a GET route does not answer HEAD).
public struct Router<Route: Sendable>: Sendable {
    public enum Match: Sendable {
        case found(Route, parameters: [String: String], pattern: String)
        /// The path matched at least one route but none for this method; `allowed` is sorted.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private var entries: [Entry] = []

    public init() {}

    /// Adds a route. Registering the same method and pattern shape again replaces the earlier route.
    public mutating func add(_ method: String, _ pattern: String, _ route: Route) {
        let entry = Entry(method: method, pattern: pattern, segments: RoutePattern.segments(of: pattern), route: route)
        if let existing = entries.firstIndex(where: { $0.method == method && $0.segments.sameShape(as: entry.segments) }) {
            entries[existing] = entry
        } else {
            entries.append(entry)
        }
    }

    /// Every registered method and pattern, in registration order.
    public var registered: [(method: String, pattern: String)] {
        entries.map { ($0.method, $0.pattern) }
    }

    /// Finds the route for `method` and a raw (percent-encoded) `path`.
    ///
    /// Segments are percent-decoded before comparison, so `%2F` stays inside one segment. When several
    /// patterns match, the one with a literal at the first position where they differ wins. Routes for other
    /// methods only matter when no route for this method matches (they make the answer 405 instead of 404).
    public func match(method: String, path: String) -> Match {
        guard let segments = RoutePattern.decodedSegments(of: path) else { return .notFound }
        var best: (entry: Entry, parameters: [String: String])?
        var otherMethods: Set<String> = []
        for entry in entries {
            guard let parameters = entry.segments.bind(segments) else { continue }
            guard entry.method == method else {
                otherMethods.insert(entry.method)
                continue
            }
            if let current = best, !entry.segments.isMoreSpecific(than: current.entry.segments) {
                continue
            }
            best = (entry, parameters)
        }
        if let best {
            return .found(best.entry.route, parameters: best.parameters, pattern: best.entry.pattern)
        }
        return otherMethods.isEmpty ? .notFound : .methodNotAllowed(allowed: otherMethods.sorted())
    }

    private struct Entry: Sendable {
        let method: String
        let pattern: String
        let segments: [RoutePattern.Segment]
        let route: Route
    }
}
