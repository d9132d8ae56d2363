extension Graph {
    /// Validates a decoded model: opsets, operators, initializers, value definitions and order.
    ///
    /// - Throws: `ModelError` naming every unsupported operator at once, or the first structural fault.
    init(model: Onnx_ModelProto) throws(ModelError) {
        guard model.hasGraph else { throw ModelError(.malformed("the file has no graph")) }
        let graph = model.graph

        // Operators: all unsupported ones at once, before anything else is looked at.
        var unsupported = Set<String>()
        for node in graph.node {
            let domain = node.domain
            if !(domain.isEmpty || domain == "ai.onnx") {
                unsupported.insert("\(domain).\(node.opType)")
            } else if OperatorRegistry.definition(node.opType) == nil {
                unsupported.insert(node.opType)
            }
        }
        if !unsupported.isEmpty { throw ModelError(.unsupportedOperators(unsupported.sorted())) }
        let opset = try Graph.defaultOpset(model)

        // Initializers.
        var initializers = [String: ConstantBuffer]()
        for proto in graph.initializer {
            guard !proto.name.isEmpty else { throw ModelError.invalid("an initializer has no name") }
            guard initializers[proto.name] == nil else {
                throw ModelError.invalid("initializer '\(proto.name)' is defined twice")
            }
            initializers[proto.name] = ConstantBuffer(try Tensor(proto: proto, context: "initializer '\(proto.name)'"))
        }
        if !graph.sparseInitializer.isEmpty {
            throw ModelError(.unsupportedType("sparse initializers"))
        }

        // Inputs: graph inputs that an initializer provides are constants, not caller inputs.
        var defined = Set(initializers.keys)
        var inputs = [TensorInfo]()
        for value in graph.input {
            let info = try TensorInfo(proto: value, context: "graph input")
            if initializers[info.name] != nil { continue }
            guard !defined.contains(info.name) else { throw ModelError.invalid("input '\(info.name)' is declared twice") }
            guard info.elementType != nil else {
                let code = value.type.tensorType.elemType
                throw ModelError(.unsupportedType("input '\(info.name)' has element type \(TensorElementType.onnxName(code))"))
            }
            defined.insert(info.name)
            inputs.append(info)
        }

        var valueInfo = [String: TensorInfo]()
        for value in graph.valueInfo {
            if let info = try? TensorInfo(proto: value, context: "value") { valueInfo[info.name] = info }
        }

        // Nodes.
        var nodes = [Node]()
        var producers = [String: Int]()
        for (index, proto) in graph.node.enumerated() {
            let name = proto.name.isEmpty ? "#\(index)" : proto.name
            var attributes = [String: AttributeValue]()
            for attribute in proto.attribute {
                attributes[attribute.name] = try AttributeValue(proto: attribute, node: name)
            }
            let node = Node(name: name, opType: proto.opType, inputs: proto.input, outputs: proto.output,
                            attributes: attributes)
            for output in node.outputs where !output.isEmpty {
                guard !defined.contains(output), producers[output] == nil else {
                    throw ModelError.invalid("value '\(output)' is defined more than once (again by node '\(name)')")
                }
                producers[output] = index
            }
            nodes.append(node)
        }

        let ordered = try Graph.topologicalOrder(nodes, producers: producers, defined: defined)

        var outputs = [TensorInfo]()
        for value in graph.output {
            let info = try TensorInfo(proto: value, context: "graph output")
            guard defined.contains(info.name) || producers[info.name] != nil else {
                throw ModelError.invalid("output '\(info.name)' is not computed by any node")
            }
            outputs.append(info)
        }
        guard !outputs.isEmpty else { throw ModelError.invalid("the graph declares no outputs") }

        let keyed = Graph.shapeKeyedInputs(ordered, inputs: Set(inputs.map(\.name)))
        self.init(nodes: ordered, initializers: initializers, inputs: inputs, outputs: outputs,
                  valueInfo: valueInfo, opset: opset, shapeKeyedInputs: keyed)
    }

    /// Walks back from every shape-deciding node input to the graph inputs it depends on, stopping
    /// at operators that read only shapes (Shape, Size).
    static func shapeKeyedInputs(_ nodes: [Node], inputs: Set<String>) -> Set<String> {
        var producer = [String: Node]()
        for node in nodes { for output in node.outputs where !output.isEmpty { producer[output] = node } }
        var pending = [String]()
        for node in nodes {
            guard let definition = OperatorRegistry.definition(node.opType) else { continue }
            for index in definition.shapeInputs where index < node.inputs.count && !node.inputs[index].isEmpty {
                pending.append(node.inputs[index])
            }
        }
        var seen = Set<String>()
        var keyed = Set<String>()
        while let value = pending.popLast() {
            guard seen.insert(value).inserted else { continue }
            if inputs.contains(value) { keyed.insert(value); continue }
            guard let node = producer[value], let definition = OperatorRegistry.definition(node.opType),
                  definition.readsData else { continue }
            pending.append(contentsOf: node.inputs.filter { !$0.isEmpty })
        }
        return keyed
    }

    /// The opset of the default domain; other imported domains are accepted only when unused.
    static func defaultOpset(_ model: Onnx_ModelProto) throws(ModelError) -> Int {
        var opset: Int?
        for entry in model.opsetImport where entry.domain.isEmpty || entry.domain == "ai.onnx" {
            opset = Int(clamping: entry.version)
        }
        // IR version 1 and 2 files have no opset import and mean opset 1.
        let version = opset ?? (model.irVersion < 3 ? 1 : 0)
        guard OperatorRegistry.supportedOpsets.contains(version) else {
            throw ModelError(.unsupportedOpset(domain: "", version: version))
        }
        return version
    }

    /// Kahn's algorithm, keeping the file's order among ready nodes.
    static func topologicalOrder(_ nodes: [Node], producers: [String: Int], defined: Set<String>)
        throws(ModelError) -> [Node]
    {
        var pending = [Int](repeating: 0, count: nodes.count)
        var consumers = [[Int]](repeating: [], count: nodes.count)
        for (index, node) in nodes.enumerated() {
            for input in Set(node.inputs) where !input.isEmpty {
                if let producer = producers[input] {
                    pending[index] += 1
                    consumers[producer].append(index)
                } else if !defined.contains(input) {
                    throw ModelError.invalid("node '\(node.name)' (\(node.opType)) reads '\(input)', which is neither an input, an initializer nor a node output")
                }
            }
        }
        // A min-heap would keep strict file order; a sorted ready list is enough at these sizes.
        var ready = (0..<nodes.count).filter { pending[$0] == 0 }.reversed() as [Int]
        var order = [Node]()
        order.reserveCapacity(nodes.count)
        while let next = ready.popLast() {
            order.append(nodes[next])
            var released = [Int]()
            for consumer in consumers[next] {
                pending[consumer] -= 1
                if pending[consumer] == 0 { released.append(consumer) }
            }
            if !released.isEmpty {
                ready.append(contentsOf: released)
                ready.sort(by: >)
            }
        }
        guard order.count == nodes.count else {
            let stuck = (0..<nodes.count).filter { pending[$0] > 0 }.prefix(5).map { nodes[$0].name }
            throw ModelError.invalid("the graph has a cycle through node(s) \(stuck.joined(separator: ", "))")
        }
        return order
    }
}

extension TensorInfo {
    init(proto: Onnx_ValueInfoProto, context: String) throws(ModelError) {
        guard !proto.name.isEmpty else { throw ModelError.invalid("a \(context) has no name") }
        var elementType: TensorElementType?
        var shape: [TensorDimension]?
        if case .tensorType(let tensor)? = proto.type.value {
            elementType = TensorElementType(onnxCode: tensor.elemType)
            if tensor.hasShape {
                shape = tensor.shape.dim.map { dim in
                    switch dim.value {
                    case .dimValue(let size)? where size >= 0: .fixed(Int(clamping: size))
                    case .dimParam(let name)? where !name.isEmpty: .symbolic(name)
                    default: .symbolic(nil)
                    }
                }
            }
        } else if proto.hasType {
            throw ModelError(.unsupportedType("\(context) '\(proto.name)' is not a tensor (sequences, maps and optionals are not supported)"))
        }
        self.init(name: proto.name, elementType: elementType, shape: shape)
    }
}

extension AttributeValue {
    init(proto: Onnx_AttributeProto, node: String) throws(ModelError) {
        var type = proto.type
        if type == .undefined {
            // Files from before IR version 2 leave the type out; the set field tells it.
            if proto.hasF { type = .float } else if proto.hasI { type = .int } else if proto.hasS { type = .string }
            else if proto.hasT { type = .tensor } else if !proto.floats.isEmpty { type = .floats }
            else if !proto.ints.isEmpty { type = .ints } else if !proto.strings.isEmpty { type = .strings }
            else if proto.hasG { type = .graph }
        }
        switch type {
        case .float: self = .float(proto.f)
        case .int: self = .int(Int(clamping: proto.i))
        case .string: self = .string(String(decoding: proto.s, as: UTF8.self))
        case .tensor: self = .tensor(try Tensor(proto: proto.t, context: "attribute '\(proto.name)' of node '\(node)'"))
        case .floats: self = .floats(proto.floats)
        case .ints: self = .ints(proto.ints.map { Int(clamping: $0) })
        case .strings: self = .strings(proto.strings.map { String(decoding: $0, as: UTF8.self) })
        case .graph, .graphs: self = .unsupported("subgraph")
        case .sparseTensor, .sparseTensors: self = .unsupported("sparse tensor")
        case .typeProto, .typeProtos: self = .unsupported("type")
        case .tensors: self = .unsupported("tensor list")
        case .undefined: self = .unsupported("empty attribute")
        }
    }
}
