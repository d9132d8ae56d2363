import FleetCore
import FleetJSON

/// A manifest uploaded beside an eBPF object, read exactly as the executor reads it (`ProgramManifest`) and
/// then checked against the object: every program and map it names exists, and each program's section can
/// attach as the type given. The document is stored and shown as uploaded.
struct CheckedManifest: Sendable {
    /// Why a manifest does not fit its object; the text is safe to show.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Section kinds whose programs each attach type can attach; `auto` attaches anything by its section.
    static let attachableKinds: [String: Set<String>] = [
        "tracepoint": ["tracepoint", "tp"],
        "raw_tracepoint": ["raw_tracepoint", "raw_tp", "raw_tracepoint.w", "raw_tp.w"],
        // kprobes, kretprobes and uprobes are all BPF_PROG_TYPE_KPROBE: one kind of program attaches as any of them.
        "kprobe": kprobeKinds,
        "kretprobe": kprobeKinds,
        "uprobe": kprobeKinds,
        "fentry": ["fentry", "fentry.s"],
        "fexit": ["fexit", "fexit.s"],
        "xdp": ["xdp", "xdp.frags"],
        "tc": ["tc", "tcx", "classifier", "action"],
    ]

    static let kprobeKinds: Set<String> = [
        "kprobe", "kretprobe", "ksyscall", "kretsyscall", "kprobe.multi", "kretprobe.multi",
        "uprobe", "uretprobe", "uprobe.multi", "uretprobe.multi",
    ]

    /// The parsed document, as it is stored and shown.
    let json: JSON

    /// Parses `bytes` and checks them against the object's programs and maps.
    /// - Throws: `Invalid` naming the member at fault.
    init(bytes: [UInt8], object: BPFObjectSummary) throws {
        let document: JSON
        do { document = try JSON.parse(bytes) } catch {
            throw Invalid(description: "manifest: not valid JSON (\(error))")
        }
        do {
            let manifest = try ProgramManifest(json: document)
            try Self.check(manifest, document: document, object: object)
        } catch let error as JSONError {
            throw Invalid(description: error.description)
        }
        json = document
    }

    private static func check(_ manifest: ProgramManifest, document: JSON, object: BPFObjectSummary) throws {
        let programKinds = Dictionary(object.programs.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let mapNames = Set(object.maps.map(\.name))
        // The parse succeeded, so `programs` is an array of objects with a `name` each.
        for (index, item) in (document["programs"]?.arrayValue ?? []).enumerated() {
            let path = "manifest.programs[\(index)]"
            guard let name = item["name"]?.stringValue else { continue }
            guard let kind = programKinds[name] else {
                throw JSONError(path: "\(path).name", message: "the object has no program '\(name)'\(listing(programKinds.keys))")
            }
            let type = manifest.attach[name]?.target.type ?? "auto"
            if let kinds = attachableKinds[type], !kinds.contains(kind) {
                throw JSONError(path: "\(path).attach.type", message: "a program in a \(kind) section cannot attach as \(type)")
            }
        }
        for (index, map) in manifest.maps.enumerated() where !mapNames.contains(map.name) {
            throw JSONError(path: "manifest.maps[\(index)].name", message: "the object has no map '\(map.name)'\(listing(mapNames))")
        }
        for (index, ringbuf) in manifest.ringbufs.enumerated() where !mapNames.contains(ringbuf.name) {
            throw JSONError(path: "manifest.ringbufs[\(index)].name", message: "the object has no map '\(ringbuf.name)'\(listing(mapNames))")
        }
    }

    private static func listing(_ names: some Collection<String>) -> String {
        names.isEmpty ? " (it has none)" : " (it has \(names.sorted().joined(separator: ", ")))"
    }
}
