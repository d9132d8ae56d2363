/// How one operator type is planned.
struct OperatorDefinition: Sendable {
    /// Input positions whose values decide the output shapes (Reshape's shape, Slice's starts, ...).
    /// The planner computes these before the run and keys plans on graph inputs that feed them.
    var shapeInputs: [Int] = []
    /// Whether the kernel reads its inputs' data; false for Shape and Size, which only need shapes.
    var readsData = true
    /// Chooses output specifications and a kernel for concrete input specifications.
    var plan: @Sendable (NodeContext) throws(OpError) -> PlannedNode
}

/// The operators this runtime implements, by ONNX op type (default domain).
enum OperatorRegistry {
    /// The default-domain opsets whose operator semantics this runtime follows. Versions 22 to 25 of
    /// the implemented operators only add element types and attributes for types this runtime rejects.
    static let supportedOpsets: ClosedRange<Int> = 1...25

    static func definition(_ opType: String) -> OperatorDefinition? { table[opType] }

    /// Every supported op type, sorted.
    static var operatorTypes: [String] { table.keys.sorted() }

    private static let table: [String: OperatorDefinition] = {
        var table = [String: OperatorDefinition]()
        let families: [[String: OperatorDefinition]] = [
            ShapeOperators.all, ElementwiseOperators.all, ActivationOperators.all, CastOperators.all, SoftmaxOperators.all, ReduceOperators.all, MatMulOperators.all, ConvOperators.all, PoolOperators.all, NormalizationOperators.all, PadOperators.all, QuantizationOperators.all, IndexingOperators.all,
        ]
        for family in families { table.merge(family) { first, _ in first } }
        return table
    }()
}
