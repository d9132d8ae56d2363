import Glibc
import FleetSystem
import FleetCore
import FleetInference
import FleetJSON

/// `fleet-executor infer`: runs a model file on tensors from the command line, without a server.
///
/// Prints `{"outputs": {"<name>": {"shape", "data", "dtype"}}, "latency_ms": <one run>}`; with a repeat count N,
/// one warm-up run, then N timed runs: `latency_ms` becomes `{"median", "p99", "min", "max", "runs"}` and
/// `peak_rss_bytes` (getrusage) is added. Outputs are those of the last run.
public enum LocalInference {
    /// Loads the model at `modelPath` and runs it on `arguments`, `repeatCount` times after a warm-up when given.
    /// - Returns: the document to print.
    /// - Throws: `ExecutorError` with a message for people: unreadable or malformed files and JSON, unknown or
    ///   missing inputs, wrong element types or shapes.
    public static func run(modelPath: String, inputs arguments: [TensorArgument], repeatCount: Int? = nil) throws -> JSON {
        let bytes = try readFile(modelPath, what: "model")
        let model: Model
        let session: InferenceSession
        do {
            model = try Model(bytes: bytes)
            session = try InferenceSession(model: model)
        } catch {
            throw ExecutorError("cannot load \(modelPath): \(error)")
        }
        let inputs = try TensorArgument.tensors(arguments) { try readFile($0, what: "tensor file") }.mapValues { try $0.tensor() }
        let declared = model.description.inputs.map(\.name)
        func once() throws -> (outputs: [(name: String, tensor: Tensor)], latency: Duration) {
            let started = ContinuousClock.now
            do {
                let outputs = try session.run(inputs)
                return (outputs, ContinuousClock.now - started)
            } catch {
                throw ExecutorError("\(error) (the model's inputs: \(declared.joined(separator: ", ")))")
            }
        }
        var last = try once()
        var document: [String: JSON] = ["latency_ms": .double(last.latency.milliseconds)]
        if let repeatCount {
            var samples: [Duration] = []
            samples.reserveCapacity(repeatCount)
            for _ in 0..<repeatCount {
                last = try once()
                samples.append(last.latency)
            }
            document["latency_ms"] = LatencySummary(samples).json
            document["peak_rss_bytes"] = .int(peakResidentBytes())
        }
        document["outputs"] = try TensorPayload.outputsJSON(last.outputs)
        return .object(document)
    }

    /// The whole file.
    /// - Throws: `ExecutorError` saying whether it is missing or unreadable.
    static func readFile(_ path: String, what: String) throws -> [UInt8] {
        do {
            return try FileSystem.read(path)
        } catch {
            throw ExecutorError("cannot read the \(what) \(path): \(error.isNotFound ? "no such file" : String(cString: strerror(error.errno)))")
        }
    }

    /// The process's peak resident set in bytes (`ru_maxrss`).
    static func peakResidentBytes() -> Int64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }
}

/// Median, 99th percentile, minimum and maximum of timed runs, in milliseconds.
public struct LatencySummary: Sendable, Equatable, JSONEncodable {
    public let median: Double
    public let p99: Double
    public let min: Double
    public let max: Double
    public let runs: Int

    /// - Parameter samples: at least one. The median is the upper middle sample, p99 the sample at index
    ///   `count * 99 / 100` of the sorted list.
    public init(_ samples: [Duration]) {
        let sorted = samples.map(\.milliseconds).sorted()
        precondition(!sorted.isEmpty, "a latency summary needs a sample")
        median = sorted[sorted.count / 2]
        p99 = sorted[Swift.min(sorted.count - 1, sorted.count * 99 / 100)]
        min = sorted[0]
        max = sorted[sorted.count - 1]
        runs = sorted.count
    }

    public var json: JSON {
        ["median": .double(median), "p99": .double(p99), "min": .double(min), "max": .double(max), "runs": .int(Int64(runs))]
    }
}
