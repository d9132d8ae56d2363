import Glibc
import FleetSystem
import FleetCore
import FleetJSON
import Synchronization

/// Remembers which commands this executor has started and how they ended, on disk, so a command delivered
/// again (delivery is at least once, also across restarts) is never run twice.
public final class CommandJournal: Sendable {
    public enum Entry: Sendable, Equatable {
        case started
        case finished(state: CommandState, result: JSON?, error: String?)
    }

    private let file: String
    private let capacity: Int
    private struct State {
        var entries: [CommandID: Entry] = [:]
        var order: [CommandID] = []
        var linesOnDisk = 0
    }
    private let state = Mutex(State())

    /// Loads the journal in `state`; keeps the newest `capacity` commands.
    public init(state directory: StateDirectory, capacity: Int = 2000) throws {
        file = directory.file("commands.journal")
        self.capacity = capacity
        var loaded = State()
        if let data = try FileSystem.readIfPresent(file) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let json = try? JSON.parse([UInt8](line)), let idText = json["id"]?.stringValue, let id = CommandID(idText) else { continue }
                let entry: Entry
                if let stateText = json["state"]?.stringValue, let finished = CommandState(rawValue: stateText) {
                    entry = .finished(state: finished, result: json["result"].flatMap { $0.isNull ? Optional<JSON>.none : Optional($0) }, error: json["error"]?.stringValue)
                } else {
                    entry = .started
                }
                if loaded.entries.updateValue(entry, forKey: id) == nil { loaded.order.append(id) }
                loaded.linesOnDisk += 1
            }
        }
        state.withLock { $0 = loaded }
        try compactIfNeeded(force: true)
    }

    public func entry(for id: CommandID) -> Entry? {
        state.withLock { $0.entries[id] }
    }

    /// Records that a command starts; durable before the command runs.
    public func recordStarted(_ id: CommandID) throws {
        try append(["id": id.json], id: id, entry: .started)
    }

    public func recordFinished(_ id: CommandID, state finished: CommandState, result: JSON?, error: String?) throws {
        try append(["id": id.json, "state": finished.json, "result": result ?? .null, "error": error.json], id: id,
                   entry: .finished(state: finished, result: result, error: error))
    }

    private func append(_ json: JSON, id: CommandID, entry: Entry) throws {
        var line = json.serializedBytes()
        line.append(UInt8(ascii: "\n"))
        try state.withLock { state in
            let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ExecutorError("cannot open \(file): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let written = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else { throw ExecutorError("cannot write \(file)") }
            fsync(fd)
            if state.entries.updateValue(entry, forKey: id) == nil { state.order.append(id) }
            state.linesOnDisk += 1
        }
        try compactIfNeeded(force: false)
    }

    /// Rewrites the file with the newest `capacity` entries once it has grown well past them.
    private func compactIfNeeded(force: Bool) throws {
        try state.withLock { state in
            guard force ? state.linesOnDisk > state.order.count || state.order.count > capacity : state.linesOnDisk > capacity * 2 else { return }
            if state.order.count > capacity {
                for id in state.order.prefix(state.order.count - capacity) { state.entries[id] = nil }
                state.order.removeFirst(state.order.count - capacity)
            }
            var out: [UInt8] = []
            for id in state.order {
                let json: JSON
                switch state.entries[id]! {
                case .started: json = ["id": id.json]
                case .finished(let finished, let result, let error):
                    json = ["id": id.json, "state": finished.json, "result": result ?? .null, "error": error.json]
                }
                out += json.serializedBytes()
                out.append(UInt8(ascii: "\n"))
            }
            try FileSystem.writeAtomically(out, to: file)
            state.linesOnDisk = state.order.count
        }
    }
}
