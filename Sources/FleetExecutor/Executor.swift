import FoundationEssentials
import Glibc
import FleetClient
import FleetCore
import FleetJSON
import Synchronization

/// The long-running executor: heartbeats, the command loop, telemetry and (once enabled) the reconciler, each on
/// its own threads.
public final class Executor: Sendable {
    public struct Configuration: Sendable {
        public var telemetryIntervalSeconds: Double = 15
        public var pollWaitSeconds = ExecutorConnection.pollWait
        public init() {}
    }

    public let connection: ExecutorConnection
    public let journal: CommandJournal
    public let outbox: TelemetryOutbox
    public let events = EventMetrics()
    private let configuration: Configuration
    private let dispatcher: Mutex<CommandDispatcher>
    private let sources: Mutex<[any TelemetrySource]>
    private let stopped = Mutex(false)
    private let refused = Mutex(false)
    private let wake = WakeSignal()
    private let reconciler = Mutex<Reconciler?>(nil)
    /// The telemetry interval a policy sets, which replaces `configuration.telemetryIntervalSeconds` meanwhile.
    private let telemetryOverride = Mutex<Double?>(nil)

    public init(state: StateDirectory, identity: ExecutorIdentity, configuration: Configuration = Configuration()) throws {
        try state.prepare()
        connection = ExecutorConnection(identity: identity, health: ConnectionHealth(wake: wake))
        journal = try CommandJournal(state: state)
        outbox = try TelemetryOutbox(state: state)
        self.configuration = configuration
        dispatcher = Mutex(CommandDispatcher())
        sources = Mutex([])
        sources.withLock { $0 = [events, SelfMetricsSource(outbox: outbox)] }
        registerBuiltins()
    }

    /// Adds a command handler (program and model managers register theirs).
    public func register(_ type: String, _ handler: any CommandHandler) {
        dispatcher.withLock { $0.register(type, handler) }
    }

    /// The command types a handler is registered for, sorted.
    public var commandTypes: [String] { dispatcher.withLock { $0.types } }

    public func addTelemetrySource(_ source: any TelemetrySource) {
        sources.withLock { $0.append(source) }
    }

    private func registerBuiltins() {
        register("executor.ping", ClosureHandler { command in
            .succeeded(["pong": true, "echo": command.payload, "executor_version": .string(Inventory.executorVersion),
                        "time": Date().json])
        })
        register("telemetry.flush", ClosureHandler { [self] _ in
            collectTelemetry()
            do {
                let uploaded = try drainOutbox()
                return .succeeded(["uploaded_batches": .int(Int64(uploaded)), "pending_batches": .int(Int64(outbox.count))])
            } catch {
                return .failed("telemetry upload failed: \(error); \(outbox.count) batches stay queued")
            }
        })
    }

    /// Reconciles the device with its desired state from the server once `run()` starts (`Reconciler`).
    /// - Parameter targets: the managers of the kinds of items policies name (programs, models).
    /// - Returns: the reconciler.
    @discardableResult
    public func enableReconciliation(targets: [any ReconcileTarget],
                                     configuration: Reconciler.Configuration = Reconciler.Configuration()) -> Reconciler {
        let reconciler = Reconciler(source: connection, targets: targets, configuration: configuration,
                                    telemetryInterval: { [weak self] seconds in self?.setTelemetryOverride(seconds) })
        self.reconciler.withLock { $0 = reconciler }
        return reconciler
    }

    private func setTelemetryOverride(_ seconds: Int?) {
        telemetryOverride.withLock { $0 = seconds.map(Double.init) }
        log(seconds.map { "a policy sets the telemetry interval to \($0) s" }
            ?? "no policy sets the telemetry interval any more: back to \(configuration.telemetryIntervalSeconds.formatted(decimals: 0)) s")
        wake.pulse()
    }

    /// Seconds between telemetry samples: a policy's when one sets it, else the configuration's.
    public var telemetryIntervalSeconds: Double {
        telemetryOverride.withLock { $0 } ?? configuration.telemetryIntervalSeconds
    }

    // MARK: - Running

    /// Runs until `stop()`; returns an error when the server revoked this executor's credential.
    public func run() {
        var loops = [
            NativeThread.spawn { [self] in heartbeatLoop() },
            NativeThread.spawn { [self] in commandLoop() },
            NativeThread.spawn { [self] in telemetryLoop() },
        ]
        if let reconciler = reconciler.withLock({ $0 }) { loops += reconciler.start(wake: wake, health: connection.health) }
        for loop in loops { loop.join() }
    }

    public func stop() {
        stopped.withLock { $0 = true }
        // Before the signal, which makes every wait return at once: the reconciler's loops must see the stop then.
        reconciler.withLock { $0 }?.stop()
        wake.signal()
    }

    public var isStopped: Bool { stopped.withLock { $0 } }

    /// True once the server refused this executor's credential (revoked, decommissioned or re-enrolled elsewhere).
    public var credentialRefused: Bool { refused.withLock { $0 } }

    private func refuseCredential(_ error: any Error) {
        refused.withLock { $0 = true }
        log("the server refused this executor's credential: \(error); enrol again")
        stop()
    }

    /// Sleeps up to `seconds`, returning early when the executor stops.
    private func pause(_ seconds: Double) {
        wake.wait(seconds: seconds)
    }

    /// The longest pause between attempts to reach the server: a server that returns is found again within
    /// seconds, and full jitter spreads a fleet's retries over this window.
    static let reconnectCap = 4.0

    /// A loop's backoff for calls to the server, started over by any loop's success.
    private func reconnectBackoff() -> ReconnectBackoff { ReconnectBackoff(base: 0.5, cap: Self.reconnectCap) }

    /// Sleeps `seconds` before retrying a failed call, returning early when the executor stops or when a loop
    /// has reached the server since `returnsSeen` (`serverReturns` read before the call).
    private func pauseBeforeRetry(_ seconds: Double, returnsSeen: UInt64) {
        connection.health.waitBeforeRetry(seconds, returnsSeen: returnsSeen)
    }

    /// How many outages have ended so far.
    private var serverReturns: UInt64 { connection.health.reachability.returns }

    private func log(_ message: String) {
        ExecutorLog.write(message)
    }

    /// True when the failure means this executor may not talk to the server any more.
    private func isRevoked(_ error: any Error) -> Bool {
        (error as? FleetClientError)?.status == 401
    }

    private func heartbeatLoop() {
        var backoff = reconnectBackoff()
        var lastInventory: JSON?
        var lastInventoryAt = Date.distantPast
        while !isStopped {
            let seen = serverReturns
            let inventory = Inventory.probe()
            let sendInventory = inventory != lastInventory || Date().timeIntervalSince(lastInventoryAt) > 3600
            do {
                let answer = try connection.heartbeat(inventory: sendInventory ? inventory : nil)
                if sendInventory { lastInventory = inventory; lastInventoryAt = Date() }
                backoff.reset()
                reconciler.withLock { $0 }?.notice(desiredRevision: answer.desiredRevision, wake: wake)
                pause(Double(max(1, answer.intervalSeconds)))
            } catch {
                if isRevoked(error) { refuseCredential(error); return }
                let delay = backoff.nextDelay(after: connection.health.reachability)
                log("heartbeat failed (\(error)); retrying in \(delay.formatted(decimals: 1)) s")
                pauseBeforeRetry(delay, returnsSeen: seen)
            }
        }
    }

    private func commandLoop() {
        var backoff = reconnectBackoff()
        while !isStopped {
            let seen = serverReturns
            do {
                let commands = try connection.pollCommands(wait: configuration.pollWaitSeconds)
                backoff.reset()
                for command in commands where !isStopped { execute(command) }
            } catch {
                if isRevoked(error) { refuseCredential(error); return }
                let delay = (error as? FleetClientError)?.status == 403 ? 5 : backoff.nextDelay(after: connection.health.reachability)
                log("command poll failed (\(error)); retrying in \(delay.formatted(decimals: 1)) s")
                pauseBeforeRetry(delay, returnsSeen: seen)
            }
        }
    }

    /// Runs a delivered command once: a command seen before is only reported again, never run twice.
    func execute(_ command: IncomingCommand) {
        switch journal.entry(for: command.id) {
        case .finished(let state, let result, let error)?:
            reportWithRetry(command.id, state: state, result: result, error: error)
            return
        case .started?:
            let reason = "the executor restarted while this command was running; it was not run again"
            record(command.id, state: .failed, result: nil, error: reason)
            reportWithRetry(command.id, state: .failed, error: reason)
            return
        case nil:
            break
        }
        do { try journal.recordStarted(command.id) } catch {
            reportWithRetry(command.id, state: .failed, error: "cannot record the command before running it: \(error)")
            return
        }
        reportWithRetry(command.id, state: .running)
        let started = Date()
        let outcome = dispatcher.withLock { $0 }.run(command)
        events.record(TelemetryPoint(.commandSeconds, labels: ["type": command.type],
                                     value: Date().timeIntervalSince(started)))
        let (state, result, error): (CommandState, JSON?, String?) = switch outcome {
        case .succeeded(let result): (.succeeded, result, nil)
        case .failed(let reason): (.failed, nil, reason)
        case .rejected(let reason): (.rejected, nil, reason)
        }
        record(command.id, state: state, result: result, error: error)
        reportWithRetry(command.id, state: state, result: result, error: error)
    }

    /// Journals how a command ended. A failure to write is logged: the report still goes out, and should the
    /// command be delivered again the journal shows it as started, so it is reported failed, not run twice.
    private func record(_ id: CommandID, state: CommandState, result: JSON?, error: String?) {
        do { try journal.recordFinished(id, state: state, result: result, error: error) } catch {
            log("cannot journal the end of command \(id): \(error)")
        }
    }

    /// Reports a state, retrying with backoff while the server is unreachable; a 409 means the server
    /// already knows better (canceled, expired) and ends the attempt.
    private func reportWithRetry(_ id: CommandID, state: CommandState, result: JSON? = nil, error: String? = nil) {
        var backoff = reconnectBackoff()
        while !isStopped {
            let seen = serverReturns
            do {
                try connection.report(id, state: state, result: result, error: error)
                return
            } catch let failure as FleetClientError where failure.status.map({ (400..<500).contains($0) }) ?? false {
                if failure.status != 409 { log("report of \(id) refused: \(failure)") }
                return
            } catch {
                let delay = backoff.nextDelay(after: connection.health.reachability)
                log("report of \(id) failed (\(error)); retrying in \(delay.formatted(decimals: 1)) s")
                pauseBeforeRetry(delay, returnsSeen: seen)
            }
        }
    }

    private func telemetryLoop() {
        var backoff = reconnectBackoff()
        var nextSample = Date()
        var lastSample = Date()
        var interval = telemetryIntervalSeconds
        while !isStopped {
            let seen = serverReturns
            if interval != telemetryIntervalSeconds {
                interval = telemetryIntervalSeconds
                nextSample = lastSample.addingTimeInterval(interval)
            }
            if Date() >= nextSample {
                collectTelemetry()
                lastSample = Date()
                nextSample = lastSample.addingTimeInterval(interval)
            }
            do {
                _ = try drainOutbox()
                backoff.reset()
                wake.wait(seconds: max(0.1, nextSample.timeIntervalSinceNow)) { telemetryIntervalSeconds != interval }
            } catch {
                if isRevoked(error) { return }
                pauseBeforeRetry(min(backoff.nextDelay(after: connection.health.reachability), max(0.1, nextSample.timeIntervalSinceNow)),
                                 returnsSeen: seen)
            }
        }
    }

    /// Samples every source into one outbox batch.
    public func collectTelemetry() {
        let now = Date()
        let points = sources.withLock { $0 }.flatMap { $0.sample(now: now) }
        do { try outbox.append(points) } catch { log("cannot queue telemetry: \(error)") }
    }

    /// Uploads queued batches oldest first; returns how many the server took. Stops at the first transport failure.
    @discardableResult
    public func drainOutbox() throws -> Int {
        var uploaded = 0
        while let batch = try outbox.oldest() {
            do {
                try connection.upload(batch: batch.body)
                outbox.remove(batch)
                uploaded += 1
            } catch let failure as FleetClientError where [400, 413, 422].contains(failure.status) {
                log("the server refused a telemetry batch, dropping it: \(failure)")
                outbox.discard(batch)
            }
        }
        return uploaded
    }
}
