import Foundation
import FleetCore
import FleetHTTP
import FleetJSON

/// One request on its way through a handler: the parsed request and who sent it.
struct RequestContext: Sendable {
    let request: Request
    let principal: Principal

    func parameter(_ name: String) -> String { request.pathParameters[name] ?? "" }

    func id<ID: UUIDIdentifier>(_ name: String, as type: ID.Type = ID.self) throws -> ID {
        let text = parameter(name)
        guard let id = ID(text) else { throw APIError.badRequest("'\(text)' is not a valid UUID") }
        return id
    }

    /// The request body as a JSON object reader; unknown members are rejected when the caller calls `finish()`.
    func body() throws -> JSONObjectReader { try Self.body(of: request) }

    static func body(of request: Request) throws -> JSONObjectReader {
        if let type = request.header("content-type"), !type.lowercased().contains("json") {
            throw APIError(status: 415, title: "Unsupported Media Type", detail: "send the body as application/json, not \(type)")
        }
        guard !request.body.isEmpty else { throw APIError.badRequest("request body is required: send a JSON object") }
        return try JSONObjectReader(try JSON.parse(request.body))
    }

    /// The body when one was sent, or an empty object.
    func optionalBody() throws -> JSONObjectReader {
        request.body.isEmpty ? try JSONObjectReader(JSON.object([:])) : try body()
    }

    func queryInt(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = request.query[name], !text.isEmpty else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw APIError.badRequest("query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func queryBool(_ name: String) throws -> Bool? {
        switch request.query[name] {
        case nil, "": return nil
        case "true", "1": return true
        case "false", "0": return false
        case let other?: throw APIError.badRequest("query parameter '\(name)' must be true or false, not '\(other)'")
        }
    }

    /// `?limit=&cursor=` as the listing conventions define them.
    func pagination(cursorArity: Int) throws -> (limit: Int, cursor: Cursor?) {
        let limit = try queryInt("limit", range: 1...PageLimit.maximum) ?? PageLimit.default
        guard let text = request.query["cursor"], !text.isEmpty else { return (limit, nil) }
        guard let cursor = Cursor(encoded: text, arity: cursorArity), Self.isWellFormed(cursor) else {
            throw APIError.badRequest("invalid cursor: pass back the next_cursor of a previous page unchanged")
        }
        return (limit, cursor)
    }

    /// Cursors this server makes hold a UUID last, preceded by a timestamp when there are two values.
    private static func isWellFormed(_ cursor: Cursor) -> Bool {
        guard let last = cursor.values.last, UUID(uuidString: last) != nil else { return false }
        return cursor.values.count == 1 || Timestamp.parse(cursor.values[0]) != nil
    }
}

/// Responses the handlers build.
enum Reply {
    static func json(_ value: JSON, status: Int = 200) -> HandlerResult {
        .respond(response(value, status: status))
    }

    static func response(_ value: JSON, status: Int = 200) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")], body: value.serializedBytes())
    }

    static func noContent() -> HandlerResult { .respond(Response(status: 204)) }

    static func problem(_ error: APIError) -> Response {
        Response(status: error.status, headers: [("Content-Type", "application/problem+json")] + error.headers,
                 body: error.json.serializedBytes())
    }
}

/// A duration in seconds from a request, bounded.
enum Seconds {
    static func check(_ value: Int?, field: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw JSONError(path: field, message: "must be between \(range.lowerBound) and \(range.upperBound) seconds")
        }
        return value
    }
}
