import FoundationEssentials
import FleetClient
import FleetCore
import FleetJSON
import Synchronization
@testable import FleetExecutor

/// Fakes for `Reconciler` tests: items held in memory, failures on demand, a clock that only moves when told.
enum ReconcilerFakes {
    /// A `ReconcileTarget` over an in-memory table. Payloads are `{"v": "<version>"}`; `{"bad": true}` does not parse.
    final class Target: ReconcileTarget {
        struct Item: Equatable {
            var fingerprint: String
            var managed: Bool
            var intact = true
        }

        let kind: ReconcilePlan.Kind
        let items = Mutex<[String: Item]>([:])
        /// Names whose apply (or removal) fails with the given error text.
        let failing = Mutex<[String: String]>([:])
        /// "add a", "replace a", "repair a", "adopt a", "remove a", in call order.
        let calls = Mutex<[String]>([])

        init(_ kind: ReconcilePlan.Kind) { self.kind = kind }

        /// An item as a direct command (managed: false) or a policy (true) would have left it.
        func put(_ name: String, version: String, managed: Bool, intact: Bool = true) {
            items.withLock { $0[name] = Item(fingerprint: PayloadFingerprint.of(Self.payload(name, version)), managed: managed, intact: intact) }
        }

        static func payload(_ name: String, _ version: String) -> JSON { ["name": .string(name), "v": .string(version)] }

        func takeCalls() -> [String] {
            calls.withLock { calls in
                defer { calls = [] }
                return calls
            }
        }

        func prepare(name: String, payload: JSON) throws -> DesiredItem {
            guard let version = payload["v"]?.stringValue else { throw ExecutorError("payload without v") }
            return DesiredItem(name: name, payload: Self.payload(name, version), version: "\(name)@\(version)")
        }

        func observe() -> [String: ReconcilePlan.Observed] {
            items.withLock { $0.mapValues { ReconcilePlan.Observed(fingerprint: $0.fingerprint, managed: $0.managed, intact: $0.intact) } }
        }

        func apply(_ item: DesiredItem, _ how: ReconcileApply) throws {
            calls.withLock { $0.append("\(how) \(item.name)") }
            if let reason = failing.withLock({ $0[item.name] }) { throw ExecutorError(reason) }
            items.withLock { $0[item.name] = Item(fingerprint: item.fingerprint, managed: true) }
        }

        func adopt(_ item: DesiredItem) throws {
            calls.withLock { $0.append("adopt \(item.name)") }
            items.withLock { $0[item.name]?.managed = true }
        }

        func remove(name: String) throws {
            calls.withLock { $0.append("remove \(name)") }
            if let reason = failing.withLock({ $0[name] }) { throw ExecutorError(reason) }
            items.withLock { $0[name] = nil }
        }

        func describe(_ error: any Error) -> String { "described: \(error)" }
    }

    /// Records status reports; `unreachable` makes the next ones fail as with a server that is down.
    final class Source: DesiredStateSource {
        let reports = Mutex<[JSON]>([])
        let unreachable = Mutex(false)

        func desired(knownRevision: String?, wait: Int) throws -> ServedDesiredState? { nil }

        func reportStatus(_ document: JSON) throws {
            if unreachable.withLock({ $0 }) { throw FleetClientError(kind: .transport, title: "cannot connect", detail: "connection refused") }
            reports.withLock { $0.append(document) }
        }

        var count: Int { reports.withLock { $0.count } }
        var last: JSON? { reports.withLock { $0.last } }
    }

    final class Clock: Sendable {
        let seconds = Mutex(1000.0)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: Double { seconds.withLock { $0 } }
        var date: Date { Date(timeIntervalSince1970: 1_800_000_000 + now) }
    }

    final class Intervals: Sendable {
        let values = Mutex<[Int?]>([])
    }

    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    struct Setup {
        let programs = Target(.program)
        let models = Target(.model)
        let source = Source()
        let clock = Clock()
        let intervals = Intervals()
        let logs = Lines()
        let reconciler: Reconciler

        init() {
            let clock = clock, intervals = intervals, logs = logs
            reconciler = Reconciler(source: source, targets: [programs, models], clock: { clock.now }, wallClock: { clock.date },
                                    jitter: { 1 }, telemetryInterval: { value in intervals.values.withLock { $0.append(value) } },
                                    log: { line in logs.lines.withLock { $0.append(line) } })
        }

        /// Takes in a desired state of programs and models given as name: version.
        @discardableResult
        func desire(programs: [String: String] = [:], models: [String: String] = [:], rawPrograms: [String: JSON] = [:],
                    telemetry: Int? = nil) -> DesiredState {
            var programPayloads = programs.mapValues { ["v": .string($0)] as JSON }
            programPayloads.merge(rawPrograms) { _, raw in raw }
            let state = DesiredState(programs: programPayloads, models: models.mapValues { ["v": .string($0)] },
                                     telemetryIntervalSeconds: telemetry)
            reconciler.receive(ServedDesiredState(state))
            return state
        }

        /// The reported state of each item, as "kind name state".
        func reported(_ document: JSON?) -> [String] {
            (document?["items"]?.arrayValue ?? []).map {
                "\($0["kind"]?.stringValue ?? "?") \($0["name"]?.stringValue ?? "?") \($0["state"]?.stringValue ?? "?")"
            }
        }
    }
}
