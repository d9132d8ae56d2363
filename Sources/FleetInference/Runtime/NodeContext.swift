/// What an operator sees of a node when it is planned: attributes, input specifications and the
/// values of inputs known before the run (initializers, constants, folded shape computations).
struct NodeContext {
    let node: Node
    let opset: Int
    /// Input specifications; nil where an optional input is omitted.
    let inputs: [ValueSpec?]
    /// Input values known at plan time.
    let constants: [ConstantBuffer?]

    var inputCount: Int { inputs.count }

    func hasInput(_ index: Int) -> Bool { index < inputs.count && inputs[index] != nil }

    /// A required input.
    func input(_ index: Int) throws(OpError) -> ValueSpec {
        guard index < inputs.count, let spec = inputs[index] else {
            throw OpError("input \(index) is required")
        }
        return spec
    }

    /// The plan-time value of an input that decides output shapes, nil when the input is omitted.
    func constant(_ index: Int) throws(OpError) -> Tensor? {
        guard hasInput(index) else { return nil }
        guard index < constants.count, let value = constants[index] else {
            throw OpError("input '\(node.inputs[index])' must be known before the run (an initializer, a constant or computed from shapes)")
        }
        return value.tensor
    }

    /// Whether an input's value is known at plan time.
    func isConstant(_ index: Int) -> Bool { index < constants.count && constants[index] != nil }

    /// The plan-time value of an integer input as `[Int]`, nil when omitted.
    func constantInts(_ index: Int) throws(OpError) -> [Int]? {
        guard let tensor = try constant(index) else { return nil }
        return try tensor.integers()
    }

    // MARK: Attributes

    func attribute(_ name: String) -> AttributeValue? { node.attributes[name] }

    func int(_ name: String) throws(OpError) -> Int? {
        switch node.attributes[name] {
        case nil: return nil
        case .int(let value)?: return value
        default: throw OpError("attribute '\(name)' must be an integer")
        }
    }

    func int(_ name: String, default value: Int) throws(OpError) -> Int { try int(name) ?? value }

    func float(_ name: String) throws(OpError) -> Float? {
        switch node.attributes[name] {
        case nil: return nil
        case .float(let value)?: return value
        case .int(let value)?: return Float(value)
        default: throw OpError("attribute '\(name)' must be a float")
        }
    }

    func float(_ name: String, default value: Float) throws(OpError) -> Float { try float(name) ?? value }

    func ints(_ name: String) throws(OpError) -> [Int]? {
        switch node.attributes[name] {
        case nil: return nil
        case .ints(let values)?: return values
        case .int(let value)?: return [value]
        default: throw OpError("attribute '\(name)' must be a list of integers")
        }
    }

    func floats(_ name: String) throws(OpError) -> [Float]? {
        switch node.attributes[name] {
        case nil: return nil
        case .floats(let values)?: return values
        default: throw OpError("attribute '\(name)' must be a list of floats")
        }
    }

    func string(_ name: String) throws(OpError) -> String? {
        switch node.attributes[name] {
        case nil: return nil
        case .string(let value)?: return value
        default: throw OpError("attribute '\(name)' must be a string")
        }
    }

    func tensor(_ name: String) throws(OpError) -> Tensor? {
        switch node.attributes[name] {
        case nil: return nil
        case .tensor(let value)?: return value
        case .unsupported(let what)?: throw OpError.unsupported("attribute '\(name)' is a \(what), which is not supported")
        default: throw OpError("attribute '\(name)' must be a tensor")
        }
    }

    /// Normalises a possibly negative axis against `rank`.
    func axis(_ axis: Int, rank: Int) throws(OpError) -> Int {
        let normalised = axis < 0 ? axis + rank : axis
        guard normalised >= 0, normalised < rank else {
            throw OpError("axis \(axis) is out of range for rank \(rank)")
        }
        return normalised
    }
}

extension Tensor {
    /// The values of an integer tensor as `Int`s.
    func integers() throws(OpError) -> [Int] {
        switch elementType {
        case .int64: return values(as: Int64.self).map { $0.map { Int($0) } } ?? []
        case .int32: return values(as: Int32.self).map { $0.map { Int($0) } } ?? []
        case .int8, .uint8, .int16, .uint16, .uint32:
            return doubles.map { Int($0) }
        case .uint64:
            return values(as: UInt64.self).map { $0.map { Int(clamping: $0) } } ?? []
        default: throw OpError("expected an integer tensor, got \(elementType.rawValue)")
        }
    }
}
