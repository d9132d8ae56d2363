/// What a handler answers: a response now, or a long-poll that suspends the connection (holding no thread).
public enum HandlerResult: Sendable {
    case respond(Response)
    case suspend(LongPoll)
}
