import Glibc
import FleetCore
import FleetBPF
import FleetJSON

/// The payload of `program.load` and `program.replace`:
///
/// ```json
/// {"program_id": "<uuid>", "sha256": "<64 hex>", "name": "syscalls",
///  "manifest": {...}, "attach": {...}, "rodata": {"target_pid": 42}, "signature": "<base64>",
///  "program": "syscall_count@1.0.0"}
/// ```
///
/// The executor only holds a device token and cannot read the registry, so the payload carries the object's
/// `sha256` (the artifact is fetched by it) and the `manifest`, copied from `GET /v1/programs/{id}`.
/// `name` names the deployment and its pins (`/sys/fs/bpf/fleet/<name>`); it defaults to the program id.
/// `attach` overrides the manifest: either one attach object for every program (`{"type": "xdp", ...}`) or
/// one per program name (`{"count_packets": {"type": "xdp", ...}}`). `rodata` values win over the
/// manifest's. `signature` is the registry's base64 Ed25519 signature over the 32 raw digest bytes.
/// `program` is informative: the registry's `name@version`, which status reports name as the item's version.
///
/// The same document, normalised, is the deployment's state file, so a restarted executor reads it back
/// through this parser.
public struct ProgramLoadRequest: Sendable, Equatable {
    public enum AttachOverride: Sendable, Equatable {
        case none
        case all(ProgramAttachSpec)
        case perProgram([String: ProgramAttachSpec])
    }

    public var name: String
    public var programID: ProgramID
    public var sha256: ArtifactDigest
    public var manifest: ProgramManifest
    public var attach: AttachOverride
    public var rodata: [String: RodataValue]
    public var signature: [UInt8]?
    /// The registry's `name@version` when the payload says it.
    public var reference: String?
    /// The payload with `name` filled in: stored as the deployment's state.
    public let json: JSON

    /// - Throws: `JSONError` naming the member at fault.
    public init(payload: JSON) throws {
        var reader = try JSONObjectReader(payload)
        programID = try reader.require("program_id")
        sha256 = try reader.require("sha256")
        let name: String? = try reader.optional("name")
        let manifest = reader.raw("manifest")
        let attach = reader.raw("attach")
        let rodata = reader.raw("rodata")
        let signature: String? = try reader.optional("signature")
        reference = try reader.optional("program")
        try reader.finish()

        self.name = name ?? programID.description
        try Self.checkName(self.name)
        self.manifest = try manifest.flatMap { $0.isNull ? nil : try ProgramManifest(json: $0) } ?? .empty
        self.attach = try attach.flatMap { $0.isNull ? nil : try Self.attachOverride($0) } ?? .none
        self.rodata = try rodata.flatMap { $0.isNull ? nil : try ProgramManifest.rodata($0, path: "rodata") } ?? [:]
        self.signature = try signature.map { try ArtifactTrust.signature(base64: $0, path: "signature") }
        var stored = payload.objectValue ?? [:]
        stored["name"] = .string(self.name)
        json = .object(stored)
    }

    /// Where `program` attaches: the command's override, else the manifest, else its section (auto).
    public func attachSpec(for program: String) -> ProgramAttachSpec {
        switch attach {
        case .all(let spec): spec
        case .perProgram(let specs): specs[program] ?? manifest.attach[program] ?? .auto
        case .none: manifest.attach[program] ?? .auto
        }
    }

    /// The `.rodata` values to set: the manifest's defaults, overridden by the command's.
    public var effectiveRodata: [String: RodataValue] {
        manifest.rodata.merging(rodata) { _, command in command }
    }

    /// Deployment names are one pin path component (`DeploymentName`).
    public static func checkName(_ name: String, path: String = "name", maxLength: Int = DeploymentName.maximumLength) throws {
        try DeploymentName.check(name, path: path, maxLength: maxLength)
    }

    private static func attachOverride(_ json: JSON) throws -> AttachOverride {
        guard case .object(let members) = json else { throw JSONError.typeMismatch("attach", expected: "object", got: json) }
        if members["type"] != nil { return .all(try ProgramAttachSpec(json: json, path: "attach")) }
        return .perProgram(try members.reduce(into: [:]) { result, member in
            result[member.key] = try ProgramAttachSpec(json: member.value, path: "attach.\(member.key)")
        })
    }
}

/// The payload of `program.unload`: `{"name": "syscalls", "program_id": "<uuid>"}`. `program_id` is optional;
/// when given it must match the loaded program (the registry uses it to see that a program is no longer in use).
public struct ProgramUnloadRequest: Sendable, Equatable {
    public var name: String
    public var programID: ProgramID?

    /// - Throws: `JSONError`.
    public init(payload: JSON) throws {
        var reader = try JSONObjectReader(payload)
        name = try reader.require("name")
        programID = try reader.optional("program_id")
        try reader.finish()
        try ProgramLoadRequest.checkName(name)
    }
}
