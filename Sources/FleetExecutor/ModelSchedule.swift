import FleetInference
import FleetJSON

/// Scheduled inference, from a model's metadata:
///
/// ```json
/// {"schedule": {"every_seconds": 10,
///               "features_from": {"program": "syscalls", "map": "syscall_counts", "input": "x"}}}
/// ```
///
/// Every `every_seconds` (1 to 86400) the executor reads map `map` of the program deployed as `program`, turns it
/// into the feature vector (`features(_:)`) and runs the model with it as input `input` (optional when the model
/// has one input). The input must be float32 with as many elements as the vector (open dimensions count as 1).
public struct ModelSchedule: Sendable, Equatable {
    public var everySeconds: Double
    public var program: String
    public var map: String
    public var input: String?

    public init(everySeconds: Double, program: String, map: String, input: String? = nil) {
        self.everySeconds = everySeconds
        self.program = program
        self.map = map
        self.input = input
    }

    /// - Throws: `JSONError` at the member at fault.
    public init(json: JSON, path: String) throws {
        var reader = try JSONObjectReader(json, path: path)
        everySeconds = try reader.require("every_seconds")
        let source = try reader.require("features_from", as: JSON.self)
        try reader.finish()
        guard (1...86_400).contains(everySeconds) else {
            throw JSONError(path: "\(path).every_seconds", message: "must be between 1 and 86400, got \(Self.text(everySeconds))")
        }
        var features = try JSONObjectReader(source, path: "\(path).features_from")
        program = try features.require("program")
        map = try features.require("map")
        input = try features.optional("input")
        try features.finish()
        try ProgramLoadRequest.checkName(program, path: "\(path).features_from.program")
    }

    /// The input the schedule feeds and its shape.
    public struct Feed: Sendable, Equatable {
        public let input: String
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    /// Checks the schedule against the model: the input exists (or is the only one), is float32 and has a rank;
    /// open dimensions are taken as 1.
    /// - Throws: `ExecutorError` saying what does not fit.
    /// - Parameter inputs: the model's inputs (`ModelDescription.inputs`).
    public func feed(for inputs: [TensorInfo]) throws -> Feed {
        let names = inputs.map(\.name)
        let info: TensorInfo
        if let input {
            guard let found = inputs.first(where: { $0.name == input }) else {
                throw ExecutorError("the schedule feeds input '\(input)', which the model does not have (its inputs: \(names.joined(separator: ", ")))")
            }
            info = found
        } else {
            guard inputs.count == 1, let only = inputs.first else {
                throw ExecutorError("the model has inputs \(names.joined(separator: ", ")): the schedule must name one in features_from.input")
            }
            info = only
        }
        guard inputs.count == 1 else {
            throw ExecutorError("scheduled inference feeds one input, and the model has \(inputs.count): \(names.joined(separator: ", "))")
        }
        if let type = info.elementType, type != .float32 {
            throw ExecutorError("scheduled inference feeds float32, and input '\(info.name)' is \(type.rawValue)")
        }
        guard let dimensions = info.shape else {
            throw ExecutorError("input '\(info.name)' has no declared shape, so the feature vector cannot be shaped")
        }
        let shape = dimensions.map { dimension -> Int in
            if case .fixed(let size) = dimension { return size }
            return 1
        }
        return Feed(input: info.name, shape: shape)
    }

    /// The feature vector of a map reading: entries in ascending key order, each entry's u64 fields in order
    /// (per-CPU values already summed), as float32.
    public static func features(_ entries: [UInt64: [UInt64]]) -> [Float] {
        entries.keys.sorted().flatMap { key in entries[key]!.map { Float($0) } }
    }

    /// `5`, `0.5`: a number as it was written, without a `.0` for whole ones.
    static func text(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 9e15 ? String(Int64(value)) : String(value)
    }
}
