/// A graph compiled for one signature of input shapes: every value's shape is known, constant
/// subgraphs are folded, and all intermediate values live in one arena laid out by liveness.
/// Running a plan allocates nothing but the returned output tensors.
///
/// Not thread-safe: one run at a time (the arena is shared by all runs).
final class ExecutionPlan {
    struct Step {
        let node: Node
        let kernel: Kernel
        let inputs: [UnsafeRawPointer?]
        let outputs: [UnsafeMutableRawPointer]
    }

    struct Slot {
        let name: String
        let spec: ValueSpec
        let pointer: UnsafeMutableRawPointer
    }

    let steps: [Step]
    /// Where each fed graph input is copied before a run (shape-keyed inputs are constants instead).
    let inputs: [Slot]
    /// Where each graph output is read after a run, in graph order.
    let outputs: [Slot]
    let arenaSize: Int
    private let arena: UnsafeMutableRawPointer
    /// Initializers and folded values the steps read; kept alive with the plan.
    private let constants: [ConstantBuffer]

    /// Plans `graph` for the given input tensors (their shapes, and the values of shape-keyed inputs).
    init(graph: Graph, inputs feeds: [String: Tensor]) throws(PlanError) {
        struct Value {
            var spec: ValueSpec
            var constant: ConstantBuffer?
            /// Index into `intervals` for arena values.
            var interval: Int?
        }
        var values = [String: Value]()
        var intervals = [MemoryPlanner.Interval]()
        var keep = [ConstantBuffer]()

        for (name, buffer) in graph.initializers { values[name] = Value(spec: buffer.spec, constant: buffer) }
        var inputNames = [String]()
        for info in graph.inputs {
            guard let tensor = feeds[info.name] else { throw PlanError(node: nil, message: "input '\(info.name)' is missing") }
            let spec = ValueSpec(type: tensor.elementType, shape: tensor.shape)
            if graph.shapeKeyedInputs.contains(info.name) {
                let buffer = ConstantBuffer(tensor)
                keep.append(buffer)
                values[info.name] = Value(spec: spec, constant: buffer)
            } else {
                values[info.name] = Value(spec: spec, interval: intervals.count)
                intervals.append(.init(firstStep: -1, lastStep: -1, byteCount: spec.byteCount))
                inputNames.append(info.name)
            }
        }

        struct PendingStep {
            let node: Node
            let kernel: Kernel
            let inputs: [String?]
            /// Interval per output.
            let outputs: [Int]
        }
        var pending = [PendingStep]()

        for node in graph.nodes {
            guard let definition = OperatorRegistry.definition(node.opType) else {
                throw PlanError(node: node, message: "operator is not supported")
            }
            var specs = [ValueSpec?]()
            var constants = [ConstantBuffer?]()
            for name in node.inputs {
                if name.isEmpty { specs.append(nil); constants.append(nil); continue }
                guard let value = values[name] else {
                    throw PlanError(node: node, message: "input '\(name)' is not defined")
                }
                specs.append(value.spec)
                constants.append(value.constant)
            }
            let context = NodeContext(node: node, opset: graph.opset, inputs: specs, constants: constants)
            let planned: PlannedNode
            do { planned = try definition.plan(context) } catch { throw PlanError(node: node, error) }
            for spec in planned.outputs {
                do { _ = try ShapeLimits.count(spec.shape) } catch { throw PlanError(node: node, error) }
            }
            guard planned.outputs.count >= node.outputs.count else {
                throw PlanError(node: node, message: "the node declares \(node.outputs.count) outputs, the operator has \(planned.outputs.count)")
            }

            let foldable = definition.readsData
                ? zip(node.inputs, constants).allSatisfy { $0.0.isEmpty || $0.1 != nil }
                : true
            if foldable {
                let buffers = planned.outputs.map { spec in
                    ConstantBuffer(Tensor(elementType: spec.type, shape: spec.shape,
                                          bytes: [UInt8](repeating: 0, count: spec.byteCount)))
                }
                do {
                    try planned.kernel(constants.map { $0.map { UnsafeRawPointer($0.pointer) } },
                                       buffers.map(\.pointer))
                } catch {
                    throw PlanError(node: node, error)
                }
                for (name, buffer) in zip(node.outputs, buffers) where !name.isEmpty {
                    values[name] = Value(spec: buffer.spec, constant: buffer)
                    keep.append(buffer)
                }
                continue
            }

            let step = pending.count
            var inputNames = [String?]()
            for name in node.inputs {
                guard !name.isEmpty, let value = values[name] else { inputNames.append(nil); continue }
                inputNames.append(name)
                if let interval = value.interval { intervals[interval].lastStep = max(intervals[interval].lastStep, step) }
                else if let constant = value.constant { keep.append(constant) }
            }
            var outputIntervals = [Int]()
            for (position, spec) in planned.outputs.enumerated() {
                outputIntervals.append(intervals.count)
                intervals.append(.init(firstStep: step, lastStep: step, byteCount: spec.byteCount))
                if position < node.outputs.count, !node.outputs[position].isEmpty {
                    values[node.outputs[position]] = Value(spec: spec, interval: outputIntervals[position])
                }
            }
            pending.append(PendingStep(node: node, kernel: planned.kernel, inputs: inputNames, outputs: outputIntervals))
        }

        // Graph outputs stay live to the end; constant outputs are read from their buffers.
        for info in graph.outputs {
            guard let value = values[info.name] else { throw PlanError(node: nil, message: "output '\(info.name)' is not computed") }
            if let interval = value.interval { intervals[interval].lastStep = pending.count }
            if let constant = value.constant { keep.append(constant) }
        }

        let (offsets, size) = MemoryPlanner.assign(intervals)
        let arena = UnsafeMutableRawPointer.allocate(byteCount: max(size, MemoryPlanner.alignment), alignment: MemoryPlanner.alignment)
        self.arena = arena
        self.arenaSize = size

        func pointer(_ name: String) -> UnsafeMutableRawPointer? {
            guard let value = values[name] else { return nil }
            if let interval = value.interval { return arena + offsets[interval] }
            return value.constant?.pointer
        }
        self.steps = pending.map { step in
            Step(node: step.node, kernel: step.kernel,
                 inputs: step.inputs.map { name in name.flatMap(pointer).map { UnsafeRawPointer($0) } },
                 outputs: step.outputs.map { arena + offsets[$0] })
        }
        self.inputs = inputNames.compactMap { name in
            guard let value = values[name], let at = pointer(name) else { return nil }
            return Slot(name: name, spec: value.spec, pointer: at)
        }
        self.outputs = graph.outputs.compactMap { info in
            guard let value = values[info.name], let at = pointer(info.name) else { return nil }
            return Slot(name: info.name, spec: value.spec, pointer: at)
        }
        self.constants = keep
    }

    /// Copies the fed inputs in, runs every step, and copies the outputs out.
    func run(_ feeds: [String: Tensor]) throws(PlanError) -> [(name: String, tensor: Tensor)] {
        for slot in inputs {
            guard let tensor = feeds[slot.name] else { continue }
            tensor.bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { slot.pointer.copyMemory(from: base, byteCount: min(raw.count, slot.spec.byteCount)) }
            }
        }
        for step in steps {
            do { try step.kernel(step.inputs, step.outputs) } catch { throw PlanError(node: step.node, error) }
        }
        return outputs.map { slot in
            let bytes = [UInt8](UnsafeRawBufferPointer(start: slot.pointer, count: slot.spec.byteCount))
            return (slot.name, Tensor(elementType: slot.spec.type, shape: slot.spec.shape, bytes: bytes))
        }
    }

    deinit { arena.deallocate() }
}

/// A planning or execution failure, with the node at fault when there is one.
struct PlanError: Error {
    let node: Node?
    let message: String
    var isUnsupported = false

    init(node: Node?, message: String) {
        self.node = node
        self.message = message
    }

    init(node: Node, _ error: OpError) {
        self.node = node
        self.message = error.message
        self.isUnsupported = error.isUnsupported
    }

    var inferenceError: InferenceError {
        guard let node else { return InferenceError(.invalidTensor(message)) }
        if isUnsupported { return InferenceError(.unsupported(node: node.name, operator: node.opType, detail: message)) }
        return InferenceError(.nodeFailed(node: node.name, operator: node.opType, detail: message))
    }

    var modelError: ModelError {
        guard let node else { return ModelError.invalid(message) }
        if isUnsupported { return ModelError(.unsupportedType("\(node.opType) node '\(node.name)': \(message)")) }
        return ModelError.invalid("\(node.opType) node '\(node.name)': \(message)")
    }
}
