import FleetCore
import FleetJSON
import FleetPostgres
import Foundation

/// Identifies an uploaded program (one name@version).
struct ProgramID: UUIDIdentifier {
    let rawValue: UUID
    init(rawValue: UUID) { self.rawValue = rawValue }
}

/// The `programs` table: eBPF objects with their manifests (`manifest`) and what the object holds (`summary`).
enum ProgramStore {
    /// Largest object taken: libbpf opens an object whole from memory (uploads from the mapped staged file,
    /// policies from the stored bytes read back), and eBPF objects are far smaller.
    static let maximumObjectBytes: Int64 = 64 << 20

    /// A device runs a program while a `program.load` or `program.replace` of it is pending, or while the
    /// latest succeeded load, replace or unload of one of its instances (`payload.name`) loaded it.
    static let registry = Registry<ProgramID>(
        noun: "program", table: "programs", artifactField: "object", maximumArtifactBytes: maximumObjectBytes,
        documentField: "manifest", documentColumn: "manifest", summaryColumn: "summary",
        mediaType: "application/x-elf", fileExtension: "o",
        deployment: DeploymentRule(idKey: "'program_id'", installs: "('program.load', 'program.replace')", removal: "'program.unload'"),
        render: { manifest, summary in
            let objects = try BPFObjectSummary(json: summary).json
            return ["manifest": manifest, "programs": objects["programs"] ?? [], "maps": objects["maps"] ?? []]
        })
}
