import FoundationEssentials
import Glibc
import FleetBPF
import FleetCore
import FleetJSON
import FleetSystem

/// One program object running under a deployment name: either loaded by this process or adopted from its
/// pins after a restart. Immutable; a replace makes a new one.
final class ProgramDeployment: Sendable {
    struct ProgramSummary: Sendable {
        let name: String
        let id: BPFProgramID
        let attach: String
    }

    let request: ProgramLoadRequest
    let directory: BPFPinDirectory
    /// The loaded object, which keeps programs and maps alive; nil when adopted (the pins keep them).
    let object: BPFObject?
    /// Pins opened after a restart; nil when loaded by this process.
    let pinned: BPFPinnedObject?
    /// Keyed by program name.
    let links: [String: BPFLink]
    /// The object's own maps (not libbpf's internal ones), keyed by name.
    let maps: [String: BPFMap]
    let programs: [ProgramSummary]
    let forwarders: [RingBufferForwarder]

    init(request: ProgramLoadRequest, directory: BPFPinDirectory, object: BPFObject?, pinned: BPFPinnedObject?,
         links: [String: BPFLink], maps: [String: BPFMap], programs: [ProgramSummary]) {
        self.request = request
        self.directory = directory
        self.object = object
        self.pinned = pinned
        self.links = links
        self.maps = maps
        self.programs = programs
        forwarders = request.manifest.ringbufs.compactMap { export in
            guard let map = maps[export.name] else { return nil }
            return RingBufferForwarder(map: map, export: export, program: request.name)
        }
    }

    var name: String { request.name }

    /// Samples every exported map; a map that cannot be read is logged and skipped.
    func sample(now: Date) -> [TelemetryPoint] {
        var points: [TelemetryPoint] = []
        for export in request.manifest.maps {
            guard let map = maps[export.name] else { continue }
            do {
                let (reading, single) = try Self.read(map, as: export.kind)
                points += ProgramExporter.points(for: export, reading: reading, singleSeries: single, program: name, now: now)
            } catch {
                ExecutorLog.write("cannot read map \(name)/\(export.name): \(error)")
            }
        }
        for forwarder in forwarders { points += forwarder.sample(now: now) }
        return points
    }

    /// Stops the ring buffer threads and hands back the events they still held.
    func stopForwarding(now: Date = Date()) -> [TelemetryPoint] {
        forwarders.flatMap { forwarder in
            forwarder.stop()
            return forwarder.sample(now: now)
        }
    }

    /// The pins this deployment made and that are gone (someone removed them): drift, repaired by loading the
    /// same request again. TC filters have no link pin.
    func missingPins() -> [String] {
        guard directory.exists else { return [directory.path] }
        let expected = programs.map { directory.programPath($0.name) }
            + links.filter { !ProgramManager.isTC($0.value) }.keys.sorted().map { directory.linkPath($0) }
            + maps.keys.sorted().map { directory.mapPath($0) }
        return expected.filter { !FileSystem.exists($0) }
    }

    /// The old program with this name, for rolling a link update back.
    func restoreProgram(_ name: String, on link: BPFLink) throws {
        if let program = try? object?.program(named: name) {
            try link.update(program: program)
        } else if let program = try? pinned?.program(named: name) {
            try link.update(program: program)
        }
    }

    var resultJSON: JSON {
        [
            "name": .string(name),
            "program_id": request.programID.json,
            "sha256": request.sha256.json,
            "programs": .array(programs.map { ["name": .string($0.name), "id": .int(Int64($0.id.rawValue)), "attach": .string($0.attach)] }),
            "maps": .array(maps.values.sorted { $0.name < $1.name }.map { map in
                ["name": .string(map.name), "id": .int(Int64(map.id.rawValue)), "type": .string(map.type.name)]
            }),
            "pins": .string(directory.path),
        ]
    }

    static func read(_ map: BPFMap, as kind: ProgramManifest.MapKind) throws -> (ProgramExporter.Reading, Bool) {
        switch kind {
        case .histogramLog2:
            return (.histogram(try map.log2Histogram()), false)
        case .counter where map.maxEntries == 1 && (map.type == .array || map.type == .perCPUArray):
            return (.entries(try map.u64Fields(forKey: 0).map { [0: $0] } ?? [:]), true)
        case .counter, .hashCounter:
            return (.entries(try map.u64FieldsByKey()), false)
        }
    }
}
