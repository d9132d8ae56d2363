/// A failure inside one operator, wrapped with the node's name by the planner or executor.
struct OpError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
