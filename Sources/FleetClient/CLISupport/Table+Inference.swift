import FleetCore
import FleetJSON

extension Table {
    /// How many values of each output the table shows.
    public static let shownOutputValues = 8

    /// The `outputs` of an `inference.run` result, one row per output in name order: dtype, shape and the first
    /// values (six significant digits), with the count when there are more. A malformed output shows its error.
    public static func inferenceOutputs(_ result: JSON) -> Table {
        let outputs = result["outputs"]?.objectValue ?? [:]
        return Table(headers: ["OUTPUT", "DTYPE", "SHAPE", "VALUES"], rows: outputs.keys.sorted().map { name in
            let tensor: TensorPayload
            do { tensor = try TensorPayload(json: outputs[name]!, path: name) } catch {
                return [name, "?", "?", "\(error)"]
            }
            let values: [String] = switch tensor.elements {
            case .float32(let values): values.prefix(shownOutputValues).map { $0.formatted(significant: 6) }
            case .int8(let values): values.prefix(shownOutputValues).map(String.init)
            case .uint8(let values): values.prefix(shownOutputValues).map(String.init)
            case .int32(let values): values.prefix(shownOutputValues).map(String.init)
            case .int64(let values): values.prefix(shownOutputValues).map(String.init)
            }
            let count = tensor.elements.count
            let more = count > values.count ? " … (\(count) values)" : ""
            return [name, tensor.elementType.rawValue, "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]",
                    values.joined(separator: " ") + more]
        })
    }
}
