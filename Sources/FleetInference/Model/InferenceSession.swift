/// Runs a model on the CPU.
///
/// A session compiles the model once per signature of input shapes into a plan whose memory is laid
/// out in advance; later runs with the same shapes reuse that memory and allocate only their output
/// tensors. A session is not thread-safe: use one per thread (they can share the `Model`).
public final class InferenceSession {
    /// The model this session runs.
    public let model: Model
    private var plans: [PlanKey: ExecutionPlan] = [:]
    private var planOrder: [PlanKey] = []
    /// The plan of the previous run, checked first so steady-state runs skip the key lookup.
    private var lastPlan: (key: PlanKey, plan: ExecutionPlan)?
    private let declared: [String: TensorInfo]
    private static let planLimit = 8

    /// Prepares a session; when every input shape is fixed the plan is built (and checked) at once.
    ///
    /// - Throws: `ModelError` when the graph cannot be planned for its declared input shapes.
    public init(model: Model) throws(ModelError) {
        self.model = model
        self.declared = Dictionary(model.graph.inputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let feeds = model.graph.placeholderInputs() {
            let plan: ExecutionPlan
            do { plan = try ExecutionPlan(graph: model.graph, inputs: feeds) } catch { throw error.modelError }
            let key = PlanKey(graph: model.graph, feeds: feeds)
            plans[key] = plan
            planOrder.append(key)
        }
    }

    /// Runs the model.
    ///
    /// - Parameter inputs: a tensor for every model input, by name.
    /// - Returns: the graph outputs in graph order.
    /// - Throws: `InferenceError` for unknown or missing inputs, wrong element types or shapes, and
    ///   failures of a node on the given values.
    public func run(_ inputs: [String: Tensor]) throws(InferenceError) -> [(name: String, tensor: Tensor)] {
        let graph = model.graph
        if inputs.count != graph.inputs.count || inputs.keys.contains(where: { declared[$0] == nil }) {
            for name in inputs.keys.sorted() where declared[name] == nil {
                throw InferenceError(.unknownInput(name))
            }
        }
        for info in graph.inputs {
            guard let tensor = inputs[info.name] else { throw InferenceError(.missingInput(info.name)) }
            if let expected = info.elementType, expected != tensor.elementType {
                throw InferenceError(.wrongElementType(input: info.name, expected: expected, given: tensor.elementType))
            }
            if let shape = info.shape, !shape.matches(tensor.shape) {
                throw InferenceError(.wrongShape(input: info.name, expected: shape, given: tensor.shape))
            }
        }
        let plan: ExecutionPlan
        if let last = lastPlan, last.key.matches(graph: graph, feeds: inputs) {
            plan = last.plan
        } else {
            plan = try self.plan(for: inputs)
        }
        do { return try plan.run(inputs) } catch { throw error.inferenceError }
    }

    private func plan(for inputs: [String: Tensor]) throws(InferenceError) -> ExecutionPlan {
        let graph = model.graph
        let key = PlanKey(graph: graph, feeds: inputs)
        let plan: ExecutionPlan
        if let cached = plans[key] {
            plan = cached
        } else {
            do { plan = try ExecutionPlan(graph: graph, inputs: inputs) } catch { throw error.inferenceError }
            if planOrder.count >= InferenceSession.planLimit {
                plans[planOrder.removeFirst()] = nil
            }
            plans[key] = plan
            planOrder.append(key)
        }
        lastPlan = (key, plan)
        return plan
    }

    /// The number of plans the session keeps (one per input-shape signature seen), for tests.
    var planCount: Int { plans.count }
    /// The arena bytes of the plan for the given feeds, for tests.
    func arenaSize(for inputs: [String: Tensor]) -> Int? { plans[PlanKey(graph: model.graph, feeds: inputs)]?.arenaSize }
}

/// Identifies a plan: the shapes of all inputs and the values of the shape-keyed ones.
struct PlanKey: Hashable {
    var shapes: [[Int]]
    var values: [[UInt8]]

    init(graph: Graph, feeds: [String: Tensor]) {
        shapes = graph.inputs.map { feeds[$0.name]?.shape ?? [] }
        values = graph.inputs.filter { graph.shapeKeyedInputs.contains($0.name) }.map { feeds[$0.name]?.bytes ?? [] }
    }

    /// Whether `feeds` have this key, without building a new one.
    func matches(graph: Graph, feeds: [String: Tensor]) -> Bool {
        var keyed = 0
        for (index, info) in graph.inputs.enumerated() {
            guard let tensor = feeds[info.name], tensor.shape == shapes[index] else { return false }
            if graph.shapeKeyedInputs.contains(info.name) {
                guard keyed < values.count, tensor.bytes == values[keyed] else { return false }
                keyed += 1
            }
        }
        return true
    }
}

extension Array where Element == TensorDimension {
    /// Whether a concrete shape satisfies this declared one (same rank, equal fixed dimensions).
    func matches(_ shape: [Int]) -> Bool {
        guard count == shape.count else { return false }
        for (dimension, size) in zip(self, shape) {
            if case .fixed(let expected) = dimension, expected != size { return false }
        }
        return true
    }
}

extension Graph {
    /// Zero-filled tensors of the declared input shapes, nil when a shape is open or an input decides
    /// shapes by its values.
    func placeholderInputs() -> [String: Tensor]? {
        var feeds = [String: Tensor]()
        for info in inputs {
            guard !shapeKeyedInputs.contains(info.name), let type = info.elementType, let shape = info.shape else { return nil }
            var sizes = [Int]()
            for dimension in shape {
                guard case .fixed(let size) = dimension else { return nil }
                sizes.append(size)
            }
            guard let count = try? Tensor.elementCount(sizes), count * type.byteWidth <= 1 << 28 else { return nil }
            feeds[info.name] = Tensor(elementType: type, shape: sizes, bytes: [UInt8](repeating: 0, count: count * type.byteWidth))
        }
        return feeds
    }
}
