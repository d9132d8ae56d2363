import Glibc
import FleetJSON

/// A typed, blocking client of the Fleet API (DESIGN section 4).
///
/// Every method sends one request (list helpers that follow cursors send several) and blocks until
/// the answer arrives; failures are `FleetClientError`. Calls through one client are serialised
/// when it uses a `CurlTransport`, which keeps the connection to the server open between calls.
public final class FleetClient: Sendable {
    public let configuration: ClientConfiguration
    /// Limit for each request, connection included.
    public let requestTimeout: Duration
    private let transport: any HTTPTransport

    /// - Parameters:
    ///   - transport: defaults to a new `CurlTransport`; tests pass their own.
    public init(configuration: ClientConfiguration, requestTimeout: Duration = .seconds(30),
                transport: any HTTPTransport = CurlTransport()) {
        self.configuration = configuration
        self.requestTimeout = requestTimeout
        self.transport = transport
    }

    /// Sends any request to the API and returns the JSON answer, `.null` when there is none (204).
    ///
    /// - Parameters:
    ///   - path: starts with `/`, may carry a query string (`/v1/devices?limit=5`), already percent-encoded.
    /// - Throws: `FleetClientError` for transport failures and non-2xx answers.
    public func raw(method: HTTPMethod, path: String, body: JSON? = nil) throws -> JSON {
        guard path.hasPrefix("/") else {
            throw FleetClientError(kind: .invalidConfiguration, title: "invalid path '\(path)'", detail: "it must start with /")
        }
        return try exchange(method, path, body: body).json ?? .null
    }

    /// The answer of a successful exchange.
    struct Answer {
        var status: Int
        var json: JSON?
        var what: String
    }

    /// One exchange: adds the token and JSON headers, checks the status, parses the body.
    /// - Parameters:
    ///   - timeout: the limit for this exchange; defaults to `requestTimeout`.
    func exchange(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: JSON? = nil,
                  timeout: Duration? = nil) throws -> Answer {
        var headers = requestHeaders()
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let url = configuration.server + path + QueryString.encode(query)
        let response = try transport.send(HTTPRequest(method: method, url: url, headers: headers,
                                                      body: body?.serializedBytes(), timeout: timeout ?? requestTimeout))
        return try answer(response, what: "\(method) \(path)")
    }

    /// `Accept: application/json` and the bearer token, if any.
    func requestHeaders() -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let token = configuration.token { headers.append(("Authorization", "Bearer \(token.text)")) }
        return headers
    }

    /// The transport, when it can stream request and answer bodies (a `CurlTransport` can).
    func streamingTransport(for what: String) throws -> any StreamingHTTPTransport {
        guard let streaming = transport as? any StreamingHTTPTransport else {
            throw FleetClientError(kind: .invalidConfiguration, title: "cannot \(what)",
                                   detail: "the client's transport does not stream bodies; use a CurlTransport")
        }
        return streaming
    }

    /// Checks the status of an answer and parses its JSON body.
    func answer(_ response: HTTPResponse, what: String) throws -> Answer {
        guard (200..<300).contains(response.status) else {
            throw FleetClientError.fromResponse(status: response.status, body: response.body)
        }
        guard !response.body.isEmpty, response.status != 204 else { return Answer(status: response.status, json: nil, what: what) }
        do {
            return Answer(status: response.status, json: try JSON.parse(response.body), what: what)
        } catch let error as JSONError {
            throw FleetClientError.invalidResponse(what, error.description)
        }
    }

    /// An exchange whose answer must be a JSON value, decoded by `decode`.
    func fetch<T>(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: JSON? = nil,
                  timeout: Duration? = nil, decode: (APIObject) throws -> T) throws -> T {
        let answer = try exchange(method, path, query: query, body: body, timeout: timeout)
        return try APIObject.decode(answer.json, what: answer.what, decode)
    }

    /// An exchange whose answer is a page of items.
    func fetchPage<Item>(_ path: String, query: [(String, String?)], decode: (APIObject) throws -> Item) throws -> ListPage<Item> {
        let answer = try exchange(.get, path, query: query)
        return try APIObject.decode(answer.json, what: answer.what) { object in
            ListPage(items: try object.array("items").map(decode), nextCursor: try object.optionalString("next_cursor"))
        }
    }
}
