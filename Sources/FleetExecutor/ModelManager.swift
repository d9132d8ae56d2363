import FoundationEssentials
import Glibc
import FleetCore
import FleetInference
import FleetJSON
import Synchronization

/// Deploys, replaces and removes ONNX models by deployment name, runs them for `inference.run` and on the
/// schedules their metadata asks for, and keeps each deployment in `<state>/models` so that a restarted
/// executor loads it again without the server.
///
/// Deploys and removes run one at a time; inferences run on a snapshot of the deployments, so a redeploy
/// swaps the model only once the new one has loaded, and the old one serves until then.
///
/// Telemetry: `executor_models_deployed`; per run, `inference_latency_ms` labelled `model` and `trigger`
/// (`command` or `schedule`); per scheduled run, `model_output` labelled `model`, `output` and `index` for the
/// first `exportedElements` elements of each output; per failed scheduled run, the cumulative
/// `model_schedule_failures_total` labelled `model`.
public final class ModelManager: TelemetrySource {
    public typealias Fetch = @Sendable (ArtifactDigest) throws -> [UInt8]
    /// Reads map `map` of the program deployed as `program`: entries by integer key, u64 fields summed across CPUs.
    public typealias MapReader = @Sendable (_ program: String, _ map: String) throws -> [UInt64: [UInt64]]

    /// How many elements of each output a scheduled run exports.
    public static let exportedElements = 64

    private let store: DeploymentRecordStore
    private let fetch: Fetch
    private let trust: ArtifactTrust
    private let readMap: MapReader
    private let deployments = Mutex<[String: ModelDeployment]>([:])
    /// The policy marks of the deployments a policy made, as recorded.
    private let marks = Mutex<[String: PolicyMark]>([:])
    /// The kept file of each deployment as last verified, for drift checks.
    private let keptFiles = Mutex<[String: KeptFileStamp]>([:])
    private let operations = Mutex(())
    private let drift = DriftLog()
    private let pending = EventMetrics()
    private let schedules = Mutex(ScheduleState())

    private struct ScheduleState {
        /// When each deployment runs next; a redeployed model (another object) runs at once.
        var due: [String: (deployment: ObjectIdentifier, at: ContinuousClock.Instant)] = [:]
        /// The last failure logged per model, so a lasting one is logged once.
        var lastFailure: [String: String] = [:]
        var failures: [String: Int] = [:]
    }

    /// - Parameters:
    ///   - readMap: reads the eBPF maps scheduled inference takes its features from.
    ///   - fetch: downloads an artifact by digest (the executor's connection); the bytes are verified here.
    /// - Throws: `ExecutorError` when the state folder cannot be created.
    public init(state: StateDirectory, trust: ArtifactTrust, readMap: @escaping MapReader, fetch: @escaping Fetch) throws {
        store = try DeploymentRecordStore(state: state, folder: "models", artifactExtension: "onnx")
        self.fetch = fetch
        self.trust = trust
        self.readMap = readMap
    }

    /// Names of the deployed models.
    public var deployedNames: [String] { deployments.withLock { $0.keys.sorted() } }

    // MARK: - Commands

    /// `model.deploy`: fetch, verify, load, record, then swap in (replacing a model deployed under the same name).
    /// - Parameter policy: the mark of the policy that wants it (the reconciler's deploys); nil for a direct command.
    /// - Returns: the command's result: the deployment, `load_ms`, and `replaced` (the old `sha256` and `version`).
    /// - Throws: `ExecutorError` with the reason; the model deployed before under that name, if any, keeps serving.
    @discardableResult
    public func deploy(_ request: ModelDeployRequest, policy: PolicyMark? = nil) throws -> JSON {
        try operations.withLock { _ in
            let bytes: [UInt8]
            do { bytes = try fetch(request.sha256) } catch {
                throw ExecutorError("cannot download the model \(request.sha256): \(error)")
            }
            try trust.verify(bytes, digest: request.sha256, signature: request.signature, kind: "model")
            let started = ContinuousClock.now
            let deployment = try Self.load(request, bytes: bytes)
            let loaded = ContinuousClock.now - started
            do { try store.save(request.name, request: request.json, artifact: bytes, policy: policy) } catch {
                throw ExecutorError("cannot record the deployment of '\(request.name)', so it was not made: \(error)")
            }
            marks.withLock { $0[request.name] = policy }
            keptFiles.withLock { $0[request.name] = KeptFileStamp(path: store.artifactPath(request.name)) }
            let old = deployments.withLock { deployments in
                defer { deployments[request.name] = deployment }
                return deployments[request.name]
            }
            var result = deployment.resultJSON.objectValue ?? [:]
            result["load_ms"] = .double(loaded.milliseconds)
            if let old {
                var replaced: [String: JSON] = ["sha256": old.request.sha256.json]
                if let version = old.request.version { replaced["version"] = .string(version) }
                result["replaced"] = .object(replaced)
            }
            return .object(result)
        }
    }

    /// `model.remove`: unloads the model and deletes its record (also a record whose model failed to load again).
    /// - Throws: `ExecutorError` when nothing by that name is deployed.
    public func remove(_ request: ModelRemoveRequest) throws -> JSON {
        try operations.withLock { _ in
            let removed = deployments.withLock { $0.removeValue(forKey: request.name) }
            guard removed != nil || store.contains(request.name) else {
                throw ExecutorError("no model named '\(request.name)' is deployed\(Self.listing(deployedNames))")
            }
            store.remove(request.name)
            marks.withLock { $0[request.name] = nil }
            keptFiles.withLock { $0[request.name] = nil }
            schedules.withLock { state in
                state.failures[request.name] = nil
                state.lastFailure[request.name] = nil
            }
            var result: [String: JSON] = ["name": .string(request.name), "removed": true]
            if let removed { result["sha256"] = removed.request.sha256.json }
            return .object(result)
        }
    }

    /// `inference.run`: runs the named model on the request's tensors.
    /// - Returns: `{"model", "sha256", "version"?, "outputs": {"<name>": tensor}, "latency_ms"}`.
    /// - Throws: `ExecutorError` for an unknown model, and with `InferenceError`'s text for unknown or missing
    ///   inputs, wrong element types or shapes, or a node that fails on the values.
    public func run(_ request: InferenceRequest) throws -> JSON {
        guard let deployment = deployments.withLock({ $0[request.model] }) else {
            throw ExecutorError("no model named '\(request.model)' is deployed\(Self.listing(deployedNames))")
        }
        let (outputs, latency) = try Self.infer(deployment, request.inputs.mapValues { try $0.tensor() })
        pending.record(TelemetryPoint(.inferenceLatency, labels: ["model": deployment.name, "trigger": "command"],
                                      value: latency.milliseconds))
        var result: [String: JSON] = [
            "model": .string(deployment.name), "sha256": deployment.request.sha256.json,
            "outputs": try TensorPayload.outputsJSON(outputs), "latency_ms": .double(latency.milliseconds),
        ]
        if let version = deployment.request.version { result["version"] = .string(version) }
        return .object(result)
    }

    // MARK: - Restart

    /// Loads every recorded deployment again from its kept file, checked against its digest and signature.
    /// Failures are logged; the record stays so that `model.remove` can clear it.
    /// - Returns: the names now deployed.
    @discardableResult
    public func restoreRecorded() -> [String] {
        operations.withLock { _ in
            for record in store.records() where deployments.withLock({ $0[record.name] }) == nil {
                marks.withLock { $0[record.name] = record.policy }
                do {
                    let request = try ModelDeployRequest(payload: record.request)
                    guard request.name == record.name else { throw ExecutorError("the record names '\(request.name)'") }
                    let bytes = try store.artifact(request.name)
                    try trust.verify(bytes, digest: request.sha256, signature: request.signature, kind: "model")
                    let deployment = try Self.load(request, bytes: bytes)
                    deployments.withLock { $0[request.name] = deployment }
                    keptFiles.withLock { $0[request.name] = KeptFileStamp(path: store.artifactPath(request.name)) }
                    ExecutorLog.write("loaded model '\(request.name)' again from its kept file")
                } catch {
                    ExecutorLog.write("cannot bring back model '\(record.name)': \(error)")
                }
            }
            return deployments.withLock { $0.keys.sorted() }
        }
    }

    // MARK: - Policies

    /// The deployed models, each with the policy mark recorded for it (nil: a direct command's) and whether its
    /// kept file is still the verified one (read and checked again only when its stamp changed).
    func deploymentsForReconcile() -> [(request: ModelDeployRequest, mark: PolicyMark?, keptFileIntact: Bool)] {
        let current = deployments.withLock { $0 }
        let recorded = marks.withLock { $0 }
        return current.keys.sorted().map { name in
            let request = current[name]!.request
            return (request, recorded[name], keptFileIntact(request))
        }
    }

    private func keptFileIntact(_ request: ModelDeployRequest) -> Bool {
        let path = store.artifactPath(request.name)
        guard let stamp = KeptFileStamp(path: path) else {
            drift.note(request.name, "model '\(request.name)' drifted: its kept file \(path) is gone")
            return false
        }
        if keptFiles.withLock({ $0[request.name] }) == stamp {
            drift.note(request.name, nil)
            return true
        }
        do {
            try trust.verify(try store.artifact(request.name), digest: request.sha256, signature: request.signature, kind: "model")
        } catch {
            drift.note(request.name, "model '\(request.name)' drifted: its kept file \(path) changed: \(error)")
            return false
        }
        keptFiles.withLock { $0[request.name] = stamp }
        drift.note(request.name, nil)
        return true
    }

    /// Records that a policy now manages the deployed model `name`.
    /// - Throws: `ExecutorError` when nothing by that name is deployed or another request is; `SystemError` when
    ///   the mark cannot be written.
    func mark(_ name: String, policy: PolicyMark) throws {
        try operations.withLock { _ in
            guard let deployment = deployments.withLock({ $0[name] }) else {
                throw ExecutorError("no model named '\(name)' is deployed")
            }
            guard policy.covers(PayloadFingerprint.of(deployment.request.json)) else {
                throw ExecutorError("model '\(name)' changed before it could be adopted")
            }
            try store.mark(name, policy: policy)
            marks.withLock { $0[name] = policy }
        }
    }

    // MARK: - Schedule

    /// Runs every scheduled model that is due, and returns when the next one is.
    @discardableResult
    public func runDueSchedules(now: ContinuousClock.Instant = .now) -> ContinuousClock.Instant? {
        let scheduled = deployments.withLock { $0.values.filter { $0.feed != nil } }
        var next: ContinuousClock.Instant?
        for deployment in scheduled.sorted(by: { $0.name < $1.name }) {
            let identity = ObjectIdentifier(deployment)
            let due = schedules.withLock { state in
                state.due[deployment.name].flatMap { $0.deployment == identity ? $0.at : nil } ?? now
            }
            var at = due
            if due <= now {
                runScheduled(deployment)
                at = now.advanced(by: .milliseconds(Int64(deployment.request.schedule!.everySeconds * 1000)))
                schedules.withLock { $0.due[deployment.name] = (identity, at) }
            }
            next = next.map { min($0, at) } ?? at
        }
        schedules.withLock { state in
            let names = Set(scheduled.map(\.name))
            state.due = state.due.filter { names.contains($0.key) }
        }
        return next
    }

    /// Runs the schedules on a thread of their own until `running` answers false (checked at least every second).
    public func startScheduler(while running: @escaping @Sendable () -> Bool) {
        let wake = WakeSignal()
        NativeThread.spawn { [self] in
            while running() {
                let next = runDueSchedules()
                let pause = next.map { ContinuousClock.now.duration(to: $0).milliseconds / 1000 } ?? 1
                wake.wait(seconds: min(1, max(0.05, pause)))
            }
        }.detach()
    }

    private func runScheduled(_ deployment: ModelDeployment) {
        guard let schedule = deployment.request.schedule, let feed = deployment.feed else { return }
        let name = deployment.name
        do {
            let entries = try readMap(schedule.program, schedule.map)
            let features = ModelSchedule.features(entries)
            guard features.count == feed.count else {
                throw ExecutorError("map '\(schedule.map)' of program '\(schedule.program)' holds \(features.count) values (\(entries.count) entries) and input '\(feed.input)' of shape \(feed.shape) takes \(feed.count)")
            }
            let (outputs, latency) = try Self.infer(deployment, [feed.input: try Tensor(shape: feed.shape, values: features)])
            let now = Date()
            pending.record(TelemetryPoint(.inferenceLatency, labels: ["model": name, "trigger": "schedule"],
                                          timestamp: now, value: latency.milliseconds))
            for output in outputs {
                for (index, value) in output.tensor.doubles.prefix(Self.exportedElements).enumerated() where value.isFinite {
                    pending.record(TelemetryPoint(.modelOutput, labels: ["model": name, "output": output.name, "index": String(index)],
                                                  timestamp: now, value: value))
                }
            }
            schedules.withLock { $0.lastFailure[name] = nil }
        } catch {
            let reason = "\(error)"
            let repeated = schedules.withLock { state in
                state.failures[name, default: 0] += 1
                defer { state.lastFailure[name] = reason }
                return state.lastFailure[name] == reason
            }
            if !repeated { ExecutorLog.write("scheduled inference of model '\(name)' failed: \(reason)") }
        }
    }

    // MARK: - Telemetry

    public func sample(now: Date) -> [TelemetryPoint] {
        var points = [TelemetryPoint(.modelsDeployed, timestamp: now,
                                     value: Double(deployments.withLock { $0.count }))]
        let failures = schedules.withLock { $0.failures }
        for (model, count) in failures.sorted(by: { $0.key < $1.key }) {
            points.append(TelemetryPoint(.modelScheduleFailures, labels: ["model": model], timestamp: now,
                                         value: Double(count)))
        }
        return points + pending.sample(now: now)
    }

    // MARK: - Steps

    private static func load(_ request: ModelDeployRequest, bytes: [UInt8]) throws -> ModelDeployment {
        do { return try ModelDeployment(request: request, bytes: bytes) } catch let error as ModelError {
            throw ExecutorError("cannot load model '\(request.name)': \(error)")
        } catch {
            throw ExecutorError("cannot deploy model '\(request.name)': \(error)")
        }
    }

    private static func infer(_ deployment: ModelDeployment, _ inputs: @autoclosure () throws -> [String: Tensor])
        throws -> (outputs: [(name: String, tensor: Tensor)], latency: Duration) {
        do { return try deployment.run(try inputs()) } catch {
            throw ExecutorError("inference with model '\(deployment.name)' failed: \(error)")
        }
    }

    private static func listing(_ names: [String]) -> String {
        names.isEmpty ? " (none is)" : " (deployed: \(names.joined(separator: ", ")))"
    }
}
