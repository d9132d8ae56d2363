import Glibc
import FleetCore
import FleetJSON

/// Why a call to the Fleet API failed. Its text is safe to show: it never contains a token.
///
/// `description` is one line: `404 Not Found: device … does not exist` for an answer of the server,
/// `cannot reach http://127.0.0.1:8080: Connection refused` when there was no answer.
public struct FleetClientError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The server answered with this non-success status (and usually a problem+json body).
        case http(status: Int)
        /// No HTTP answer: connection, DNS, TLS or timeout failure.
        case transport
        /// The server answered 2xx with something the API does not promise.
        case invalidResponse
        /// The client was set up or called with values it cannot use (bad server URL, config file).
        case invalidConfiguration
        /// A name given to the client matched no object, or several.
        case unresolved
    }

    public let kind: Kind
    /// The problem's `title`, or what failed (`cannot reach http://…`).
    public let title: String
    /// The problem's `detail`, or the underlying reason.
    public let detail: String

    public init(kind: Kind, title: String, detail: String) {
        self.kind = kind
        self.title = title
        self.detail = detail
    }

    /// The HTTP status when the server answered, nil otherwise.
    public var status: Int? {
        if case .http(let status) = kind { return status }
        return nil
    }

    public var description: String {
        switch kind {
        case .http(let status):
            detail.isEmpty ? "\(status) \(title)" : "\(status) \(title): \(detail)"
        case .transport, .invalidResponse, .invalidConfiguration, .unresolved:
            detail.isEmpty ? title : "\(title): \(detail)"
        }
    }

    /// Reads a problem+json body; falls back to the status's reason phrase and the first line of a text body.
    public static func fromResponse(status: Int, body: [UInt8]) -> FleetClientError {
        let fallbackTitle = reasonPhrase(status)
        if let json = try? JSON.parse(body), case .object = json {
            let title = json["title"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? fallbackTitle
            return FleetClientError(kind: .http(status: status), title: title, detail: json["detail"]?.stringValue ?? "")
        }
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) } ?? ""
        return FleetClientError(kind: .http(status: status), title: fallbackTitle,
                                detail: firstLine.trimmed)
    }

    static func invalidResponse(_ what: String, _ reason: String) -> FleetClientError {
        FleetClientError(kind: .invalidResponse, title: "unexpected answer to \(what)", detail: reason)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "HTTP \(status)"
        }
    }
}
