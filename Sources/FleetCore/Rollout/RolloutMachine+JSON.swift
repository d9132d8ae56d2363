import FoundationEssentials
import FleetJSON

/// The stored form of a rollout, which the server keeps in PostgreSQL and any replica reads back to go on:
///
/// ```json
/// {"version": 1, "kind": {"type": "policy"}, "strategy": {...}, "targets": ["<device id>", ...],
///  "state": "paused", "pause": {"cause": "inconclusive", "batch": 1, "message": "..."}, "reason": null,
///  "started_at": 1764400000.25, "finished_at": null, "next_request": 3, "forgiven": {"executed": 0, "failed": 0},
///  "batches": [{"first": 0, "count": 1, "phase": "succeeded", ...}, ...],
///  "executions": {"<device id>": {"state": "failed", "error": "...", "updated_at": 1764400012.5}}}
/// ```
///
/// Times are seconds since the Unix epoch (see `RolloutTime`). Batch ranges are stored, not recomputed, so a
/// replica running a later planner still sees the batches the rollout started with. Targets still pending are
/// left out of `executions`, which keeps a large rollout's early states small.
extension RolloutMachine: JSONDecodable, JSONEncodable {
    public static let stateVersion = 1

    public var json: JSON {
        var stored: [String: JSON] = [:]
        for (position, execution) in executions.enumerated() where execution != RolloutDeviceExecution() {
            stored[targets[position].description] = execution.json
        }
        return [
            "version": Self.stateVersion.json, "kind": kind.json, "strategy": strategy.json, "targets": targets.json,
            "state": .string(state.name), "pause": state.pause?.json ?? .null, "reason": reason.json,
            "started_at": RolloutTime.json(startedAt), "finished_at": RolloutTime.json(finishedAt),
            "next_request": nextRequest.json,
            "forgiven": ["executed": forgiven.executed.json, "failed": forgiven.failed.json],
            "batches": batches.json, "executions": .object(stored),
        ]
    }

    /// - Throws: `JSONError` for a state of another version or one that does not hold together (batches that
    ///   do not cover the targets, executions of devices that are not targets).
    public init(json: JSON, path: String) throws {
        func at(_ member: String) -> String { JSONObjectReader.join(path, member) }
        var reader = try JSONObjectReader(json, path: path)
        let version: Int = try reader.require("version")
        guard version == Self.stateVersion else {
            throw JSONError(path: at("version"), message: "stored rollout state version \(version); this build reads \(Self.stateVersion)")
        }
        let kind: RolloutKind = try reader.require("kind")
        let strategy: RolloutStrategy = try reader.require("strategy")
        let targets: [DeviceID] = try reader.require("targets")
        let state = try RolloutState(name: reader.require("state"), pause: reader.optional("pause"), path: at("state"))
        let reason: String? = try reader.optional("reason")
        let startedAt = try RolloutTime.optional("started_at", in: &reader)
        let finishedAt = try RolloutTime.optional("finished_at", in: &reader)
        let nextRequest: Int = try reader.require("next_request")
        var forgivenReader = try JSONObjectReader(reader.require("forgiven", as: JSON.self), path: at("forgiven"))
        let forgiven = FailureTally(executed: try forgivenReader.require("executed"), failed: try forgivenReader.require("failed"))
        try forgivenReader.finish()
        let batches: [RolloutBatch] = try reader.require("batches")
        let stored: [String: RolloutDeviceExecution] = try reader.require("executions")
        try reader.finish()

        guard Set(targets).count == targets.count else { throw JSONError(path: at("targets"), message: "names a device twice") }
        guard batches.count == strategy.batches.count else {
            throw JSONError(path: at("batches"), message: "\(batches.count) batches for a strategy of \(strategy.batches.count)")
        }
        var next = 0
        for (index, batch) in batches.enumerated() {
            guard batch.range.lowerBound == next else {
                throw JSONError(path: at("batches[\(index)].first"), message: "is \(batch.range.lowerBound), expected \(next)")
            }
            next = batch.range.upperBound
        }
        guard next == targets.count else { throw JSONError(path: at("batches"), message: "cover \(next) of \(targets.count) targets") }
        var executions = Array(repeating: RolloutDeviceExecution(), count: targets.count)
        let positions = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1, $0) })
        for (key, execution) in stored {
            guard let device = DeviceID(key), let position = positions[device] else {
                throw JSONError(path: at("executions.\(key)"), message: "is not a target of this rollout")
            }
            executions[position] = execution
        }
        self.init(kind: kind, strategy: strategy, targets: targets, state: state, batches: batches, executions: executions,
                  reason: reason, startedAt: startedAt, finishedAt: finishedAt, forgiven: forgiven, nextRequest: nextRequest)
    }
}
