import FleetCore
import FleetInference
import FleetJSON
import Synchronization

/// One model loaded under a deployment name, with its inference session. Immutable but for the session, which
/// runs one inference at a time (commands and the schedule share it); a redeploy makes a new one.
final class ModelDeployment: Sendable {
    let request: ModelDeployRequest
    let model: Model
    /// The input the schedule feeds, checked against the model at deploy time; nil without a schedule.
    let feed: ModelSchedule.Feed?
    private let session: Mutex<InferenceSession>

    /// Loads the model and plans its session.
    /// - Throws: `ModelError` for a file FleetInference cannot load, `ExecutorError` for a schedule that does not
    ///   fit the model.
    init(request: ModelDeployRequest, bytes: [UInt8]) throws {
        let model = try Model(bytes: bytes)
        self.request = request
        self.model = model
        feed = try request.schedule?.feed(for: model.description.inputs)
        session = Mutex(try InferenceSession(model: model))
    }

    var name: String { request.name }

    /// Runs the model once.
    /// - Returns: the outputs in graph order and the time `InferenceSession.run` took.
    func run(_ inputs: [String: Tensor]) throws(InferenceError) -> (outputs: [(name: String, tensor: Tensor)], latency: Duration) {
        try session.withLock { (session) throws(InferenceError) in
            let started = ContinuousClock.now
            let outputs = try session.run(inputs)
            return (outputs, ContinuousClock.now - started)
        }
    }

    /// What `model.deploy` answers and the deployment's description.
    var resultJSON: JSON {
        var members: [String: JSON] = [
            "name": .string(name),
            "sha256": request.sha256.json,
            "opset_version": .int(Int64(model.description.opsetVersion)),
            "inputs": .array(model.description.inputs.map { .string($0.description) }),
            "outputs": .array(model.description.outputs.map { .string($0.description) }),
        ]
        if let id = request.modelID { members["model_id"] = id.json }
        if let version = request.version { members["version"] = .string(version) }
        if let schedule = request.schedule, let feed {
            members["schedule"] = [
                "every_seconds": schedule.everySeconds.rounded() == schedule.everySeconds && schedule.everySeconds < 1e15
                    ? .int(Int64(schedule.everySeconds)) : .double(schedule.everySeconds), "program": .string(schedule.program),
                "map": .string(schedule.map), "input": .string(feed.input),
                "shape": .array(feed.shape.map { .int(Int64($0)) }),
            ]
        }
        return .object(members)
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1e3 + Double(components.attoseconds) / 1e15
    }
}
