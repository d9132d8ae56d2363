import FoundationEssentials
import Glibc
import FleetSystem
import FleetBPF
import FleetCore
import FleetJSON
import Synchronization

/// Loads, replaces and unloads eBPF program objects by deployment name, pins them under
/// `<pin root>/<name>/{progs,links,maps}`, adopts the pins again after a restart, and exports their maps.
///
/// Operations run one at a time; sampling (on the telemetry thread) reads a snapshot of the deployments.
public final class ProgramManager: TelemetrySource {
    public typealias Fetch = @Sendable (ArtifactDigest) throws -> [UInt8]

    private let store: DeploymentRecordStore
    private let fetch: Fetch
    private let trust: ArtifactTrust
    private let events: EventMetrics
    private let pinRoot: String
    private let deployments = Mutex<[String: ProgramDeployment]>([:])
    /// The policy marks of the deployments a policy made, as recorded.
    private let marks = Mutex<[String: PolicyMark]>([:])
    private let operations = Mutex(())
    let drift = DriftLog()

    /// - Parameters:
    ///   - fetch: downloads an artifact by digest (the executor's connection); the bytes are verified here.
    ///   - events: where load and attach latencies go.
    public init(state: StateDirectory, trust: ArtifactTrust, events: EventMetrics,
                pinRoot: String = BPFPinDirectory.defaultRoot, fetch: @escaping Fetch) throws {
        store = try DeploymentRecordStore(state: state, folder: "programs", artifactExtension: "o")
        self.fetch = fetch
        self.trust = trust
        self.events = events
        self.pinRoot = pinRoot
    }

    /// Names of the running deployments.
    public var loadedNames: [String] { deployments.withLock { $0.keys.sorted() } }

    // MARK: - Commands

    /// `program.load`: fetch, verify, load, attach, pin, record. Nothing is left behind when a step fails.
    /// - Parameter policy: the mark of the policy that wants it (the reconciler's loads); nil for a direct command.
    /// - Returns: the command's result.
    /// - Throws: `ExecutorError` or `BPFError` (with the verifier log when the kernel refused a program).
    @discardableResult
    public func load(_ request: ProgramLoadRequest, policy: PolicyMark? = nil) throws -> JSON {
        try operations.withLock { _ in
            guard deployments.withLock({ $0[request.name] }) == nil else {
                throw ExecutorError("a program named '\(request.name)' is already loaded; use program.replace, or program.unload first")
            }
            let bytes = try download(request)
            let (deployment, timing) = try deploy(request, bytes: bytes)
            do { try store.save(request.name, request: request.json, artifact: bytes, policy: policy) } catch {
                _ = remove(deployment)
                throw ExecutorError("cannot record the deployment, so it was undone: \(error)")
            }
            deployments.withLock { $0[request.name] = deployment }
            marks.withLock { $0[request.name] = policy }
            return timing.annotate(deployment.resultJSON)
        }
    }

    /// `program.replace`: loads the new object, then swaps each program: `bpf_link_update` where the kernel
    /// allows it (XDP, TC on the same target), else make-before-break (attach the new, then detach the old).
    ///
    /// Maps whose name and layout match a map of the old deployment are reused, so counters continue; the
    /// result lists them in `maps_carried_over` and same-named maps with another layout in `maps_reset` (see
    /// `ProgramMapCarryOver`). Their pins stay in place, so a restarted executor adopts the carried maps. During
    /// make-before-break both programs run for a moment and may both count the same event.
    /// - Parameter policy: as `load`'s.
    /// - Throws: as `load`; on failure the old deployment keeps running unchanged.
    @discardableResult
    public func replace(_ request: ProgramLoadRequest, policy: PolicyMark? = nil) throws -> JSON {
        try operations.withLock { _ in
            guard let old = deployments.withLock({ $0[request.name] }) else {
                throw ExecutorError("no program named '\(request.name)' is loaded; use program.load")
            }
            let bytes = try download(request)
            let started = ContinuousClock.now
            let (object, carryOver) = try build(request, bytes: bytes, carryingMapsFrom: old.maps)
            let loaded = ContinuousClock.now

            var links: [String: BPFLink] = [:]
            var updated: Set<String> = []
            var swaps: [JSON] = []
            do {
                for program in object.programs {
                    let spec = request.attachSpec(for: program.name)
                    if let oldLink = old.links[program.name], spec.supportsAtomicReplace,
                       old.request.attachSpec(for: program.name).target == spec.target {
                        try oldLink.update(program: program)
                        links[program.name] = oldLink
                        updated.insert(program.name)
                        swaps.append(["program": .string(program.name), "method": "link_update"])
                    } else {
                        links[program.name] = try attach(program, spec, deployment: request.name)
                        swaps.append(["program": .string(program.name),
                                      "method": old.links[program.name] == nil ? "attach" : "make_before_break"])
                    }
                }
            } catch {
                for (name, link) in links {
                    if updated.contains(name) { try? old.restoreProgram(name, on: link) } else { try? link.detach() }
                }
                throw error
            }
            let attached = ContinuousClock.now
            if !carryOver.reset.isEmpty {
                ExecutorLog.write("program '\(request.name)': maps \(carryOver.reset.joined(separator: ", ")) changed layout and start empty")
            }

            // Break: the old attachments that were not updated in place, then the old pins.
            var problems: [String] = []
            for (name, link) in old.links where !updated.contains(name) {
                do { try link.detach() } catch { problems.append("detaching the old \(name): \(error)") }
            }
            for (name, _) in old.links where !updated.contains(name) && links[name] == nil {
                swaps.append(["program": .string(name), "method": "detach"])
            }
            for point in old.stopForwarding() { events.record(point) }
            Self.removePins(in: old.directory, keepingLinks: updated, keepingMaps: Set(carryOver.carried))

            let deployment = ProgramDeployment(
                request: request, directory: old.directory, object: object, pinned: nil, links: links,
                maps: Self.ownMaps(object), programs: try Self.summaries(object, request))
            deployments.withLock { $0[request.name] = deployment }
            do {
                try object.pin(in: old.directory, links: links.filter { !Self.isTC($0.value) })
                try store.save(request.name, request: request.json, artifact: bytes, policy: policy)
                marks.withLock { $0[request.name] = policy }
            } catch {
                // Unmarked, the reconciler adopts the new object again, and rewrites the mark.
                marks.withLock { $0[request.name] = nil }
                problems.append("pinning or recording the new object: \(error); a restarted executor cannot adopt it")
            }
            let timing = Timing(program: request.name, load: loaded - started, attach: attached - loaded, events: events)
            var result = timing.annotate(deployment.resultJSON).objectValue ?? [:]
            result["replaced_program_id"] = old.request.programID.json
            result["swaps"] = .array(swaps)
            result.merge(carryOver.resultMembers) { _, new in new }
            guard problems.isEmpty else {
                throw ExecutorError("the new object runs, but: " + problems.joined(separator: "; "))
            }
            return .object(result)
        }
    }

    /// `program.unload`: detaches, unpins, removes the pin directory and the record. Also cleans up a
    /// deployment that is recorded or pinned but was not running (its adoption failed).
    /// - Throws: `ExecutorError` when nothing by that name exists or `program_id` names another program.
    public func unload(_ request: ProgramUnloadRequest) throws -> JSON {
        try operations.withLock { _ in
            let directory = try BPFPinDirectory(name: request.name, root: pinRoot)
            let deployment = deployments.withLock { $0[request.name] }
            guard deployment != nil || store.contains(request.name) || directory.exists else {
                throw ExecutorError("no program named '\(request.name)' is loaded")
            }
            if let expected = request.programID, let deployment, deployment.request.programID != expected {
                throw ExecutorError("'\(request.name)' runs program \(deployment.request.programID), not \(expected); nothing was unloaded")
            }
            var problems: [String] = []
            if let deployment {
                problems = remove(deployment)
            } else {
                do { try directory.remove() } catch { problems.append("\(error)") }
            }
            store.remove(request.name)
            deployments.withLock { $0[request.name] = nil }
            marks.withLock { $0[request.name] = nil }
            guard problems.isEmpty else { throw ExecutorError("unloaded with problems: " + problems.joined(separator: "; ")) }
            var result: [String: JSON] = ["name": .string(request.name), "unloaded": true]
            if let deployment {
                result["program_id"] = deployment.request.programID.json
                result["detached_links"] = .int(Int64(deployment.links.count))
            }
            return .object(result)
        }
    }

    // MARK: - Restart

    /// Adopts every recorded deployment: from its pins when they exist, else (after a reboot) by loading
    /// the kept object again. Failures are logged; the record stays so that `program.unload` can clear it.
    /// - Returns: the names now running.
    @discardableResult
    public func adoptRecorded() -> [String] {
        operations.withLock { _ in
            for record in store.records() where deployments.withLock({ $0[record.name] }) == nil {
                marks.withLock { $0[record.name] = record.policy }
                do {
                    let request = try ProgramLoadRequest(payload: record.request)
                    guard request.name == record.name else { throw ExecutorError("the record names '\(request.name)'") }
                    let directory = try BPFPinDirectory(name: request.name, root: pinRoot)
                    let deployment: ProgramDeployment
                    if directory.exists {
                        deployment = try adopt(request, directory: directory)
                        ExecutorLog.write("adopted program '\(request.name)' from \(directory.path)")
                    } else {
                        let bytes = try store.artifact(request.name)
                        try trust.verify(bytes, digest: request.sha256, signature: request.signature)
                        deployment = try deploy(request, bytes: bytes).0
                        ExecutorLog.write("loaded program '\(request.name)' again from its kept object (its pins were gone)")
                    }
                    deployments.withLock { $0[request.name] = deployment }
                } catch {
                    ExecutorLog.write("cannot bring back program '\(record.name)': \(ProgramManager.describe(error))")
                }
            }
            return deployments.withLock { $0.keys.sorted() }
        }
    }

    /// The map `map` of the program deployed as `program`, for readers outside the manager (scheduled inference).
    /// - Throws: `ExecutorError` when no such program runs or it has no such map.
    public func map(_ map: String, ofProgram program: String) throws -> BPFMap {
        guard let deployment = deployments.withLock({ $0[program] }) else {
            throw ExecutorError("no program named '\(program)' is loaded")
        }
        guard let found = deployment.maps[map] else {
            throw ExecutorError("program '\(program)' has no map '\(map)' (it has \(deployment.maps.keys.sorted().joined(separator: ", ")))")
        }
        return found
    }

    // MARK: - Policies

    /// The running deployments, each with the policy mark recorded for it (nil: a direct command's).
    func deploymentsWithMarks() -> [(deployment: ProgramDeployment, mark: PolicyMark?)] {
        let current = deployments.withLock { $0 }
        let recorded = marks.withLock { $0 }
        return current.keys.sorted().map { (current[$0]!, recorded[$0]) }
    }

    /// Records that a policy now manages the running deployment `name`, made from the request with `fingerprint`.
    /// - Throws: `ExecutorError` when nothing by that name runs or another request does; `SystemError` when the
    ///   mark cannot be written.
    func mark(_ name: String, policy: PolicyMark) throws {
        try operations.withLock { _ in
            guard let deployment = deployments.withLock({ $0[name] }) else {
                throw ExecutorError("no program named '\(name)' is loaded")
            }
            guard policy.covers(PayloadFingerprint.of(deployment.request.json)) else {
                throw ExecutorError("program '\(name)' changed before it could be adopted")
            }
            try store.mark(name, policy: policy)
            marks.withLock { $0[name] = policy }
        }
    }

    // MARK: - Telemetry

    public func sample(now: Date) -> [TelemetryPoint] {
        let current = deployments.withLock { $0 }
        var points = [TelemetryPoint(.programsLoaded, timestamp: now, value: Double(current.count))]
        for name in current.keys.sorted() { points += current[name]!.sample(now: now) }
        return points
    }

    /// A failure as the command's `error`: the description, and the verifier's log when there is one
    /// (its last 256 KiB, where the reason is).
    public static func describe(_ error: any Error) -> String {
        guard let failure = error as? BPFError else { return "\(error)" }
        guard let log = failure.verifierLog, !log.isEmpty else { return failure.description }
        let limit = 256 * 1024
        let text = log.utf8.count > limit ? "[... earlier lines cut]\n" + String(decoding: log.utf8.suffix(limit), as: UTF8.self) : log
        return "\(failure.description)\nverifier log:\n\(text)"
    }

    // MARK: - Steps

    private struct Timing {
        let loadSeconds: Double
        let attachSeconds: Double

        init(program: String, load: Duration, attach: Duration, events: EventMetrics) {
            loadSeconds = Self.seconds(load)
            attachSeconds = Self.seconds(attach)
            events.record(TelemetryPoint(.programLoadSeconds, labels: ["program": program], value: loadSeconds))
            events.record(TelemetryPoint(.programAttachSeconds, labels: ["program": program], value: attachSeconds))
        }

        func annotate(_ json: JSON) -> JSON {
            var members = json.objectValue ?? [:]
            members["load_ms"] = .double((loadSeconds * 1e6).rounded() / 1e3)
            members["attach_ms"] = .double((attachSeconds * 1e6).rounded() / 1e3)
            return .object(members)
        }

        private static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    private func download(_ request: ProgramLoadRequest) throws -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try fetch(request.sha256) } catch {
            throw ExecutorError("cannot download the object \(request.sha256) of program \(request.programID): \(error)")
        }
        try trust.verify(bytes, digest: request.sha256, signature: request.signature)
        return bytes
    }

    /// Load, attach and pin a fresh deployment; undone completely when a step fails.
    private func deploy(_ request: ProgramLoadRequest, bytes: [UInt8]) throws -> (ProgramDeployment, Timing) {
        let started = ContinuousClock.now
        let (object, _) = try build(request, bytes: bytes)
        let loaded = ContinuousClock.now
        var links: [String: BPFLink] = [:]
        let directory = try BPFPinDirectory(name: request.name, root: pinRoot)
        do {
            for program in object.programs {
                links[program.name] = try attach(program, request.attachSpec(for: program.name), deployment: request.name)
            }
            let attached = ContinuousClock.now
            // Pins left by an earlier life under this name (no record claims them) are stale.
            try directory.remove()
            try object.pin(in: directory, links: links.filter { !Self.isTC($0.value) })
            let deployment = ProgramDeployment(request: request, directory: directory, object: object, pinned: nil, links: links,
                                               maps: Self.ownMaps(object), programs: try Self.summaries(object, request))
            return (deployment, Timing(program: request.name, load: loaded - started, attach: attached - loaded, events: events))
        } catch {
            for link in links.values { try? link.detach() }
            try? directory.remove()
            throw error
        }
    }

    /// Opens the object, sets trampoline targets and `.rodata`, makes it reuse the maps of `oldMaps` that
    /// `ProgramMapCarryOver` allows, loads it and checks the manifest against it.
    private func build(_ request: ProgramLoadRequest, bytes: [UInt8],
                       carryingMapsFrom oldMaps: [String: BPFMap] = [:]) throws -> (BPFObject, ProgramMapCarryOver) {
        var file = try BPFObjectFile.open(bytes: bytes, name: Self.objectName(request.name))
        let names = Set(file.programs.map(\.name))
        var named = Array(request.manifest.attach.keys)
        if case .perProgram(let overrides) = request.attach { named += overrides.keys }
        for name in named where !names.contains(name) {
            throw ExecutorError("the object has no program '\(name)' (it has \(names.sorted().joined(separator: ", ")))")
        }
        for program in file.programs {
            if let function = request.attachSpec(for: program.name).traceFunction {
                try file.setAttachTarget(program: program.name, function: function)
            }
        }
        for (variable, value) in request.effectiveRodata.sorted(by: { $0.key < $1.key }) {
            try file.setRodata(variable, to: value.bpf)
        }
        let declared = Dictionary(file.maps.map { ($0.name, $0.layout) }, uniquingKeysWith: { first, _ in first })
        let carryOver = ProgramMapCarryOver(old: oldMaps.mapValues(\.layout), new: declared)
        for name in carryOver.carried {
            if let map = oldMaps[name] { try file.reuseMap(named: name, from: map) }
        }
        let object = try file.load()
        let maps = Self.ownMaps(object)
        for export in request.manifest.maps where maps[export.name] == nil {
            throw ExecutorError("the manifest exports map '\(export.name)', which the object does not have")
        }
        for export in request.manifest.ringbufs {
            guard let map = maps[export.name], map.type == .ringBuffer else {
                throw ExecutorError("the manifest forwards '\(export.name)', which is not a ring buffer of the object")
            }
        }
        return (object, carryOver)
    }

    private func attach(_ program: BPFProgram, _ spec: ProgramAttachSpec, deployment: String) throws -> BPFLink {
        if spec.target == .auto {
            let section = program.section
            if section.hasPrefix("xdp") || section.hasPrefix("tc") || section == "classifier" {
                throw ExecutorError("program '\(program.name)' (section '\(section)') needs an attach target, e.g. {\"type\": \"xdp\", \"iface\": \"eth0\"}")
            }
        }
        return try program.attach(Self.target(spec.target.bpf, deployment: deployment, program: program.name))
    }

    /// The target as attached: TC filters get a handle derived from the deployment and program names, so that a
    /// restarted executor finds them again (they cannot be pinned) and unload can remove them.
    static func target(_ target: BPFAttachTarget, deployment: String, program: String) -> BPFAttachTarget {
        guard case .tc(let interface, let direction, let priority, 0) = target else { return target }
        var hash: UInt32 = 2_166_136_261
        for byte in "fleet/\(deployment)/\(program)".utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return .tc(interface: interface, direction: direction, priority: priority, handle: max(hash, 1))
    }

    private func adopt(_ request: ProgramLoadRequest, directory: BPFPinDirectory) throws -> ProgramDeployment {
        let pinned = try BPFPinnedObject(adopting: directory)
        let programs = pinned.programs.values.sorted { $0.name < $1.name }.map { program in
            ProgramDeployment.ProgramSummary(name: program.name, id: program.id,
                                             attach: request.attachSpec(for: program.name).target.bpf.description)
        }
        var links = pinned.links
        for program in programs where links[program.name] == nil {
            let target = Self.target(request.attachSpec(for: program.name).target.bpf, deployment: request.name, program: program.name)
            if case .tc = target {
                do {
                    links[program.name] = try BPFLink(adoptingTC: target, program: program.id, name: program.name)
                    continue
                } catch {
                    ExecutorLog.write("program '\(request.name)/\(program.name)': \(error)")
                }
            }
            ExecutorLog.write("program '\(request.name)/\(program.name)' has no pinned link: it is loaded but may not be attached")
        }
        return ProgramDeployment(request: request, directory: directory, object: nil, pinned: pinned, links: links,
                                 maps: pinned.maps, programs: programs)
    }

    /// Detaches and unpins a deployment; returns what went wrong.
    private func remove(_ deployment: ProgramDeployment) -> [String] {
        for point in deployment.stopForwarding() { events.record(point) }
        var problems: [String] = []
        for (name, link) in deployment.links.sorted(by: { $0.key < $1.key }) {
            do { try link.detach() } catch { problems.append("detaching \(name): \(error)") }
        }
        do { try deployment.directory.remove() } catch { problems.append("\(error)") }
        return problems
    }

    /// Removes program pins, map pins other than `keepingMaps` (maps the new object reuses) and link pins
    /// other than `keepingLinks` (links updated in place).
    private static func removePins(in directory: BPFPinDirectory, keepingLinks keptLinks: Set<String>, keepingMaps keptMaps: Set<String>) {
        let kinds: [(path: String, keep: Set<String>)] = [
            (directory.programsPath, []), (directory.mapsPath, keptMaps), (directory.linksPath, keptLinks),
        ]
        for (path, keep) in kinds {
            for entry in (try? FileSystem.contentsOfDirectory(path)) ?? [] where !keep.contains(entry) {
                unlink(path + "/" + entry)
            }
        }
    }

    private static func ownMaps(_ object: BPFObject) -> [String: BPFMap] {
        Dictionary(object.maps.filter { !$0.name.contains(".") }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private static func summaries(_ object: BPFObject, _ request: ProgramLoadRequest) throws -> [ProgramDeployment.ProgramSummary] {
        try object.programs.map { program in
            ProgramDeployment.ProgramSummary(name: program.name, id: try program.id,
                                             attach: request.attachSpec(for: program.name).target.bpf.description)
        }
    }

    static func isTC(_ link: BPFLink) -> Bool {
        if case .tc? = link.target { return true }
        return false
    }

    /// libbpf names internal maps after the object; the kernel allows only `[A-Za-z0-9_.]` in map names.
    static func objectName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}
