import Synchronization
@testable import FleetClient

/// Answers requests from a script and remembers them; no network.
final class RecordingTransport: HTTPTransport {
    private let state: Mutex<(requests: [HTTPRequest], answers: [HTTPResponse])>

    init(_ answers: [HTTPResponse]) {
        state = Mutex((requests: [], answers: answers))
    }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

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
