import FoundationEssentials

/// The decisions: what the recorded facts lead to while the rollout runs.
extension RolloutMachine {
    /// Moves the current batch on as far as the facts allow: start it, judge its executions, wait out its bake,
    /// ask for and judge its gates, and go to the next one.
    mutating func advance(_ now: Date) -> [Action] {
        var actions: [Action] = []
        while state == .running {
            guard let index = batches.firstIndex(where: { !$0.phase.isFinal }) else {
                let failed = batches.filter { $0.phase == .failed }.count
                let note = failed == 0 ? nil : "\(failed) failed batch\(failed == 1 ? " was" : "es were") resumed past by an operator"
                return actions + finish(.succeeded, reason: note, now: now)
            }
            let batch = batches[index]
            switch batch.phase {
            case .pending:
                if batch.range.isEmpty {
                    batches[index].phase = .skipped
                    continue
                }
                batches[index].phase = .executing
                batches[index].startedAt = now
                actions.append(.startBatch(batch: index, devices: devices(inBatch: index)))
            case .executing:
                if let failure = failureRatioTrip() {
                    actions += failBatch(index, failure, now: now)
                    continue
                }
                guard batch.range.allSatisfy({ executions[$0].state.isFinal }) else { return actions }
                let succeeded = batch.range.filter { executions[$0].state == .succeeded }.count
                let share = Double(succeeded) / Double(batch.range.count)
                guard share >= strategy.successThreshold else {
                    actions += failBatch(index, "\(succeeded) of \(batch.range.count) devices succeeded\(offlineNote(index)), "
                        + "below success_threshold \(percent(strategy.successThreshold))", now: now)
                    continue
                }
                batches[index].executedAt = now
                batches[index].phase = .baking
            case .baking:
                let end = (batch.executedAt ?? now).addingTimeInterval(Double(strategy.bakeSeconds))
                guard now >= end else { return actions }
                batches[index].phase = strategy.gates.isEmpty ? .succeeded : .evaluating
                if strategy.gates.isEmpty { batches[index].finishedAt = now }
            case .evaluating:
                guard let awaited = batch.awaitedRequest else {
                    let id = nextRequest
                    nextRequest += 1
                    batches[index].rounds.append(RolloutBatch.GateRound(request: id, requestedAt: now))
                    batches[index].awaitedRequest = id
                    actions.append(.evaluateGates(gateRequest(id: id, batch: index, at: now)))
                    return actions
                }
                guard let evaluations = batch.rounds.last(where: { $0.request == awaited })?.evaluations else { return actions }
                batches[index].awaitedRequest = nil
                actions += judge(evaluations, batch: index, now: now)
            case .succeeded, .failed, .canceled, .skipped:
                return actions
            }
        }
        return actions
    }

    /// Any failing gate fails the batch; otherwise any inconclusive (or unanswered) one pauses the rollout.
    mutating func judge(_ evaluations: [GateEvaluation], batch index: Int, now: Date) -> [Action] {
        var inconclusive: [String] = []
        for gate in strategy.gates {
            guard let evaluation = evaluations.first(where: { $0.gate == gate.name }) else {
                inconclusive.append("gate \(gate.name): not evaluated")
                continue
            }
            switch evaluation.verdict {
            case .fail: return failBatch(index, "gate \(gate.name): \(evaluation.reason)", now: now)
            case .inconclusive: inconclusive.append("gate \(gate.name): \(evaluation.reason)")
            case .pass: break
            }
        }
        guard inconclusive.isEmpty else {
            let pause = RolloutPause(cause: .inconclusive, batch: index,
                                     message: "batch \(index + 1) of \(batches.count): " + inconclusive.joined(separator: "; "))
            state = .paused(pause)
            return [.paused(pause)]
        }
        batches[index].phase = .succeeded
        batches[index].finishedAt = now
        return []
    }

    /// The reason `max_failure_ratio` stops the rollout now, if it does.
    func failureRatioTrip() -> String? {
        guard let maximum = strategy.maxFailureRatio else { return nil }
        let executed = tally.executed - forgiven.executed, failed = tally.failed - forgiven.failed
        guard executed > 0, executed >= strategy.minExecuted, Double(failed) / Double(executed) > maximum else { return nil }
        return "\(failed) of \(executed) executions failed, above max_failure_ratio \(percent(maximum))"
    }

    mutating func failBatch(_ index: Int, _ failure: String, now: Date) -> [Action] {
        var actions = abandonUnfinished(index, now: now)
        batches[index].phase = .failed
        batches[index].failure = failure
        batches[index].finishedAt = now
        let reason = "batch \(index + 1) of \(batches.count) failed: \(failure)"
        switch strategy.onFailure {
        case .pause:
            let pause = RolloutPause(cause: .batchFailed, batch: index, message: reason)
            state = .paused(pause)
            actions.append(.paused(pause))
        case .abort:
            actions += finish(.failed, reason: reason, now: now)
        case .rollback:
            let undo: [Int]
            switch kind {
            case .policy:
                undo = batches.filter(\.phase.wasStarted).flatMap(\.range)
            case .command(hasRollbackCommand: true):
                undo = executions.indices.filter { executions[$0].state == .succeeded }
            case .command(hasRollbackCommand: false):
                return actions + finish(.failed, reason: reason + "; nothing rolled back: the rollout has no rollback_command", now: now)
            }
            for position in undo { executions[position].rolledBack = true }
            if !undo.isEmpty { actions.append(.rollBack(devices: undo.map { targets[$0] })) }
            actions += finish(.rolledBack, reason: reason, now: now)
        }
        return actions
    }

    /// Ends the rollout: the batch under way is canceled and abandoned, those not started are skipped.
    mutating func finish(_ final: RolloutState, reason: String?, now: Date) -> [Action] {
        var actions: [Action] = []
        for index in batches.indices where !batches[index].phase.isFinal {
            if batches[index].phase.wasStarted {
                actions += abandonUnfinished(index, now: now)
                batches[index].phase = .canceled
                batches[index].finishedAt = now
                batches[index].awaitedRequest = nil
            } else {
                batches[index].phase = .skipped
            }
        }
        state = final
        self.reason = reason
        finishedAt = now
        return actions + [.finish(final, reason: reason)]
    }

    /// Cancels the executions of a batch that have not ended.
    mutating func abandonUnfinished(_ index: Int, now: Date) -> [Action] {
        let open = batches[index].range.filter { !executions[$0].state.isFinal }
        guard !open.isEmpty else { return [] }
        for position in open { set(position, to: .canceled, error: "abandoned: the batch or the rollout ended first", now: now) }
        return [.abandon(batch: index, devices: open.map { targets[$0] })]
    }

    /// The request for batch `index`'s gates made at `at`; each gate reads its last `window_seconds`.
    func gateRequest(id: Int, batch index: Int, at: Date) -> GateRequest {
        let batch = batches[index]
        let updated = batch.range.filter { executions[$0].state == .succeeded }.map { targets[$0] }
        let notUpdated = batches.filter { $0.phase == .pending }.flatMap(\.range).map { targets[$0] }
        let started = batch.startedAt ?? at
        let queries = strategy.gates.map { gate in
            let window = GateWindow(seconds: gate.windowSeconds, endingAt: at)
            let baseline = if gate.baseline == .notUpdated && !notUpdated.isEmpty {
                GateQuery.Baseline(kind: .notUpdated, devices: notUpdated, window: window)
            } else {
                GateQuery.Baseline(kind: .before, devices: updated, window: GateWindow(seconds: gate.windowSeconds, endingAt: started))
            }
            return GateQuery(gate: gate, devices: updated, window: window, baseline: baseline)
        }
        return GateRequest(id: id, batch: index, queries: queries)
    }

    private func offlineNote(_ index: Int) -> String {
        let offline = batches[index].range.filter { executions[$0].state == .offline }.count
        return offline == 0 ? "" : " (\(offline) offline)"
    }

    private func percent(_ share: Double) -> String { "\((share * 100).formatted(significant: 6)) %" }
}
