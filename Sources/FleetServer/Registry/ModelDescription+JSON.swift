import FleetInference
import FleetJSON

extension ModelDescription {
    /// The `description` column and the API's model members: `ir_version`, `opset_version`, `producer`, and
    /// `inputs`/`outputs` as `{name, dtype, shape}` where `dtype` is null when undeclared and `shape` is null
    /// when the rank is undeclared, else one entry per dimension: its size, its symbolic name, or null.
    var json: JSON {
        [
            "ir_version": .int(Int64(irVersion)),
            "opset_version": .int(Int64(opsetVersion)),
            "producer": producer.map(JSON.string) ?? .null,
            "inputs": .array(inputs.map(\.json)),
            "outputs": .array(outputs.map(\.json)),
            "operators": .array(operators.map(JSON.string)),
        ]
    }
}

extension TensorInfo {
    var json: JSON {
        let dimensions = shape.map { dimensions -> JSON in
            .array(dimensions.map { dimension in
                switch dimension {
                case .fixed(let size): .int(Int64(size))
                case .symbolic(let name): name.map(JSON.string) ?? .null
                }
            })
        }
        return ["name": .string(name), "dtype": elementType.map { .string($0.rawValue) } ?? .null, "shape": dimensions ?? .null]
    }
}
