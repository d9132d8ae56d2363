import FleetJSON
import FleetPostgres

/// An error the API answers with, as `application/problem+json`. Its text is safe to show.
public struct APIError: Error, CustomStringConvertible, Sendable {
    public let status: Int
    public let title: String
    public let detail: String
    public var headers: [(name: String, value: String)] = []

    public init(status: Int, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    public var description: String { "\(status) \(title): \(detail)" }

    public static func badRequest(_ detail: String) -> APIError { APIError(status: 400, title: "Bad Request", detail: detail) }
    public static func unauthorized(_ detail: String) -> APIError {
        var error = APIError(status: 401, title: "Unauthorized", detail: detail)
        error.headers = [("WWW-Authenticate", "Bearer")]
        return error
    }
    public static func forbidden(_ detail: String) -> APIError { APIError(status: 403, title: "Forbidden", detail: detail) }
    public static func notFound(_ detail: String) -> APIError { APIError(status: 404, title: "Not Found", detail: detail) }
    public static func conflict(_ detail: String) -> APIError { APIError(status: 409, title: "Conflict", detail: detail) }
    public static func unprocessable(_ detail: String) -> APIError { APIError(status: 422, title: "Unprocessable Content", detail: detail) }
    public static func unavailable(_ detail: String) -> APIError { APIError(status: 503, title: "Service Unavailable", detail: detail) }

    /// Maps anything a handler throws to what the client sees. Unexpected errors become a 500 without details.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as JSONError:
            return .badRequest(error.description)
        case let error as PostgresError where error.isUnavailable:
            var answer = APIError.unavailable("the database is unreachable; retry later")
            answer.headers = [("Retry-After", "1")]
            return answer
        default:
            return APIError(status: 500, title: "Internal Server Error", detail: "the server failed to handle the request")
        }
    }

    var json: JSON {
        ["type": "about:blank", "title": .string(title), "status": .int(Int64(status)), "detail": .string(detail)]
    }
}
