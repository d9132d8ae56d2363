import FoundationEssentials

/// How each event changes the record: facts (results, answers, timeouts) are recorded in every state that is
/// not final; what they lead to is decided by `advance`, and only while the rollout runs.
extension RolloutMachine {
    mutating func start(_ now: Date) -> [Action] {
        guard startedAt == nil, !state.isFinal else { return [] }
        startedAt = now
        if targets.isEmpty { return finish(.succeeded, reason: "no target devices: nothing to roll out", now: now) }
        if state == .pending { state = .running }
        return []
    }

    mutating func record(_ report: DeviceReport, from device: DeviceID, now: Date) {
        guard !state.isFinal, let position = positions[device],
              let batch = batches.firstIndex(where: { $0.range.contains(position) }), batches[batch].phase.wasStarted,
              !executions[position].state.isFinal else { return }
        switch report {
        case .applying:
            guard executions[position].state == .pending else { return }
            set(position, to: .applying, error: nil, now: now)
        case .succeeded:
            set(position, to: .succeeded, error: nil, now: now)
        case .failed(let error):
            set(position, to: .failed, error: error, now: now)
        }
    }

    mutating func record(_ evaluations: [GateEvaluation], answering request: Int) {
        guard !state.isFinal, let batch = batches.firstIndex(where: { $0.phase == .evaluating }),
              batches[batch].awaitedRequest == request,
              let round = batches[batch].rounds.lastIndex(where: { $0.request == request }),
              batches[batch].rounds[round].evaluations == nil else { return }
        batches[batch].rounds[round].evaluations = evaluations
    }

    mutating func pause() -> [Action] {
        switch state {
        case .pending, .running:
            let pause = RolloutPause(cause: .operator, message: "paused by an operator")
            state = .paused(pause)
            return [.paused(pause)]
        case .paused:
            return []
        case .succeeded, .failed, .rolledBack, .canceled:
            return [.refuse("the rollout has already ended: \(state.name)")]
        }
    }

    mutating func resume() -> [Action] {
        switch state {
        case .paused(let pause):
            if pause.cause == .batchFailed { forgiven = tally }
            state = startedAt == nil ? .pending : .running
            return [.resumed]
        case .pending, .running:
            return []
        case .succeeded, .failed, .rolledBack, .canceled:
            return [.refuse("the rollout has already ended: \(state.name)")]
        }
    }

    mutating func cancel(_ now: Date) -> [Action] {
        switch state {
        case .pending, .running, .paused:
            return finish(.canceled, reason: "canceled by an operator", now: now)
        case .canceled:
            return []
        case .succeeded, .failed, .rolledBack:
            return [.refuse("the rollout has already ended: \(state.name)")]
        }
    }

    /// Ends the executions of the started batch that ran out of time; they are abandoned.
    mutating func expire(now: Date, offline: Set<DeviceID>) -> [Action] {
        guard !state.isFinal, let batch = batches.firstIndex(where: { $0.phase == .executing }),
              let started = batches[batch].startedAt,
              now >= started.addingTimeInterval(Double(strategy.executionTimeoutSeconds)) else { return [] }
        let late = batches[batch].range.filter { !executions[$0].state.isFinal }
        guard !late.isEmpty else { return [] }
        let limit = "no result within \(strategy.executionTimeoutSeconds) s"
        for position in late {
            let isOffline = offline.contains(targets[position])
            set(position, to: isOffline ? .offline : .timedOut, error: isOffline ? "\(limit), offline" : limit, now: now)
        }
        return [.abandon(batch: batch, devices: late.map { targets[$0] })]
    }

    mutating func set(_ position: Int, to newState: RolloutDeviceExecution.State, error: String?, now: Date) {
        adjustTally(executions[position].state, by: -1)
        executions[position].state = newState
        executions[position].error = error
        executions[position].updatedAt = now
        adjustTally(newState, by: 1)
    }

    mutating func adjustTally(_ state: RolloutDeviceExecution.State, by delta: Int) {
        if state.isExecuted { tally.executed += delta }
        if state.isFailure { tally.failed += delta }
    }
}
