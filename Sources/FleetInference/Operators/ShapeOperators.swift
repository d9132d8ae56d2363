/// Operators that move or reinterpret data without arithmetic.
enum ShapeOperators {
    static let all: [String: OperatorDefinition] = [
        "Identity": OperatorDefinition { context throws(OpError) in
            let input = try context.input(0)
            let bytes = input.byteCount
            return PlannedNode(outputs: [input]) { inputs, outputs throws(OpError) in
                if let source = inputs[0] { outputs[0].copyMemory(from: source, byteCount: bytes) }
            }
        },
    ]
}
