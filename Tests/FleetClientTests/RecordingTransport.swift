import Synchronization
@testable import FleetClient

/// Answers requests from a script and remembers them (and the forms sent); no network.
final class RecordingTransport: StreamingHTTPTransport {
    private let state: Mutex<(requests: [HTTPRequest], answers: [HTTPResponse])>
    private let sentForms = Mutex<[MultipartForm]>([])

    init(_ answers: [HTTPResponse]) {
        state = Mutex((requests: [], answers: answers))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var forms: [MultipartForm] { sentForms.withLock { $0 } }

    func send(_ request: HTTPRequest, form: MultipartForm, stallTimeout: Duration,
              progress: ((TransferProgress) -> Void)?) throws -> HTTPResponse {
        sentForms.withLock { $0.append(form) }
        return try send(request)
    }

    /// Hands a 2xx body to `sink` in pieces of 3 bytes, as a network would in pieces of its own.
    func receive(_ request: HTTPRequest, stallTimeout: Duration, progress: ((TransferProgress) -> Void)?,
                 into sink: (UnsafeRawBufferPointer) throws -> Void) throws -> HTTPResponse {
        var response = try send(request)
        guard (200..<300).contains(response.status) else { return response }
        var offset = 0
        while offset < response.body.count {
            let piece = Array(response.body[offset..<min(offset + 3, response.body.count)])
            try piece.withUnsafeBytes { try sink($0) }
            offset += piece.count
        }
        response.body = []
        return response
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try state.withLock { state in
            state.requests.append(request)
            guard !state.answers.isEmpty else {
                throw FleetClientError(kind: .transport, title: "cannot reach \(URLOrigin.of(request.url))", detail: "Connection refused")
            }
            return state.answers.removeFirst()
        }
    }
}

extension HTTPResponse {
    static func json(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8))
    }
}
