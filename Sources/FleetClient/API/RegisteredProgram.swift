import FoundationEssentials
import Glibc
import FleetCore
import FleetJSON

/// An eBPF program object in the server's registry (`GET /v1/programs/{id}`).
public struct RegisteredProgram: Sendable, Equatable, JSONEncodable {
    /// Identifies one uploaded name@version.
    public struct ID: UUIDIdentifier {
        public let rawValue: UUID
        public init(rawValue: UUID) { self.rawValue = rawValue }
    }

    /// A program found in the object: its function, ELF section and the section's kind.
    public struct Function: Sendable, Equatable {
        public var name: String
        public var section: String
        public var type: String
    }

    /// A map found in the object.
    public struct Map: Sendable, Equatable {
        public var name: String
        public var section: String
    }

    public var id: ID
    public var name: String
    public var version: String
    /// 64 lower-case hex digits.
    public var sha256: String
    public var size: Int64
    /// As uploaded; `.null` when none was.
    public var manifest: JSON
    public var programs: [Function]
    public var maps: [Map]
    public var signed: Bool
    /// Base64 Ed25519 signature of the object's SHA-256 digest.
    public var signature: String?
    public var createdAt: Date
    public var createdBy: String?

    public var json: JSON {
        [
            "id": id.json, "name": .string(name), "version": .string(version), "sha256": .string(sha256), "size": .int(size),
            "manifest": manifest,
            "programs": .array(programs.map { ["name": .string($0.name), "section": .string($0.section), "type": .string($0.type)] }),
            "maps": .array(maps.map { ["name": .string($0.name), "section": .string($0.section)] }),
            "signed": .bool(signed), "signature": signature.json, "created_at": createdAt.json, "created_by": createdBy.json,
        ]
    }

    init(api object: APIObject) throws {
        id = try object.decode("id")
        name = try object.string("name")
        version = try object.string("version")
        sha256 = try object.string("sha256")
        size = try object.decode("size")
        manifest = object.value("manifest")
        programs = try object.array("programs").map {
            Function(name: try $0.string("name"), section: try $0.string("section"), type: try $0.string("type"))
        }
        maps = try object.array("maps").map { Map(name: try $0.string("name"), section: try $0.string("section")) }
        signed = try object.decodeIfPresent("signed") ?? false
        signature = try object.optionalString("signature")
        createdAt = try object.date("created_at")
        createdBy = try object.optionalString("created_by")
    }
}

/// What `POST /v1/programs` registers: the object file is streamed from `objectPath`.
public struct NewProgram: Sendable, Equatable {
    public var name: String
    public var version: String
    /// The ELF object `clang -target bpf -c` produced; read while it is sent, never whole into memory.
    public var objectPath: String
    /// How to attach and what to export (DESIGN section 11).
    public var manifest: JSON?
    /// Base64 of the 64-byte Ed25519 signature (see `ProgramSignatureText`).
    public var signature: String?

    public init(name: String, version: String, objectPath: String, manifest: JSON? = nil, signature: String? = nil) {
        self.name = name
        self.version = version
        self.objectPath = objectPath
        self.manifest = manifest
        self.signature = signature
    }

    /// The upload's body: `name`, `version`, `object` (the file, as `application/octet-stream`), then
    /// `manifest` (`application/json`) and `signature` when given.
    public var form: MultipartForm {
        MultipartForm.registryUpload(name: name, version: version, fileField: "object", filePath: objectPath,
                                     documentField: "manifest", document: manifest, signature: signature)
    }
}
