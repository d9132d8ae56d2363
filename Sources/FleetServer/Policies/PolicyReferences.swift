import Foundation
import FleetBPF
import FleetCore
import FleetJSON
import FleetPostgres

/// The registry rows a policy document names, checked against what they are: every version exists; attach
/// overrides parse and name programs the object has; `.rodata` values name variables of the object, as
/// libbpf itself reads the ELF and BTF (FleetBPF's open stage, the parser the executor uses, without
/// touching the kernel), and fit them; a scheduled model feeds an input the model has.
struct PolicyReferences: Sendable {
    /// The registry's API object of each item's version, by item name.
    var programs: [String: JSON] = [:]
    var models: [String: JSON] = [:]

    /// - Throws: `APIError` 422 whose detail starts with the JSON path at fault (`programs[0].program: ...`).
    static func check(_ document: PolicyDocument, on connection: PostgresConnection) throws -> PolicyReferences {
        var references = PolicyReferences()
        for (index, item) in document.programs.enumerated() {
            let path = "programs[\(index)]"
            guard let row = try find(ProgramStore.registry, item.program, on: connection) else {
                throw APIError.unprocessable("\(path).program: program \(item.program) does not exist")
            }
            let program = try ProgramStore.registry.json(row)
            try checkObject(item, program: program, path: path, on: connection)
            references.programs[item.name] = program
        }
        for (index, item) in document.models.enumerated() {
            let path = "models[\(index)]"
            guard let row = try find(ModelStore.registry, item.model, on: connection) else {
                throw APIError.unprocessable("\(path).model: model \(item.model) does not exist")
            }
            let model = try ModelStore.registry.json(row)
            if let run = item.run { try checkSchedule(run, model: model, path: "\(path).run") }
            references.models[item.name] = model
        }
        return references
    }

    /// The registry ids this policy uses, for `policy_artifacts`.
    var artifactIDs: [(kind: String, id: UUID)] {
        programs.values.compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)).map { ("program", $0) } }
            + models.values.compactMap { $0["id"]?.stringValue.flatMap(UUID.init(uuidString:)).map { ("model", $0) } }
    }

    private static func find<ID>(_ registry: Registry<ID>, _ reference: ArtifactReference, on connection: PostgresConnection) throws -> Row? {
        try connection.query("""
            SELECT \(registry.columns) FROM \(registry.source) WHERE r.name = \(reference.name) AND r.version = \(reference.version)
            """).first
    }

    private static func checkObject(_ item: PolicyDocument.ProgramItem, program: JSON, path: String, on connection: PostgresConnection) throws {
        guard item.attach != nil || item.rodata != nil else { return }
        let bytes = try objectBytes(sha256: program["sha256"]?.stringValue ?? "", on: connection)
        let object: BPFObjectFile
        do { object = try BPFObjectFile.open(bytes: bytes, name: "policy") } catch {
            throw APIError.unprocessable("\(path).program: libbpf cannot open \(item.program): \(error)")
        }
        let programNames = Set(object.programs.map(\.name))
        if let attach = item.attach, case .object(let members) = attach {
            if members["type"] != nil {
                do { _ = try ProgramAttachSpec(json: attach, path: "\(path).attach") } catch let error as JSONError {
                    throw APIError.unprocessable(error.description)
                }
            } else {
                for (name, spec) in members.sorted(by: { $0.key < $1.key }) {
                    guard programNames.contains(name) else {
                        throw APIError.unprocessable("\(path).attach.\(name): \(item.program) has no program '\(name)' (it has \(programNames.sorted().joined(separator: ", ")))")
                    }
                    do { _ = try ProgramAttachSpec(json: spec, path: "\(path).attach.\(name)") } catch let error as JSONError {
                        throw APIError.unprocessable(error.description)
                    }
                }
            }
        }
        if let rodata = item.rodata {
            let values: [String: RodataValue]
            do { values = try ProgramManifest.rodata(.object(rodata), path: "\(path).rodata") } catch let error as JSONError {
                throw APIError.unprocessable(error.description)
            }
            let variables = Dictionary(object.rodataVariables.map { ($0.name, $0) }) { first, _ in first }
            for (name, value) in values.sorted(by: { $0.key < $1.key }) {
                guard let variable = variables[name] else {
                    let known = variables.keys.sorted()
                    throw APIError.unprocessable("\(path).rodata.\(name): \(item.program) has no .rodata variable '\(name)'"
                        + (known.isEmpty ? " (it has none)" : " (it has \(known.joined(separator: ", ")))"))
                }
                if let problem = fitProblem(value, variable) {
                    throw APIError.unprocessable("\(path).rodata.\(name): \(problem)")
                }
            }
        }
    }

    /// Why `value` cannot be written into `variable`, or nil when it fits.
    static func fitProblem(_ value: RodataValue, _ variable: BPFRodataVariable) -> String? {
        switch (value, variable.kind) {
        case (.bytes(let bytes), _):
            return bytes.count <= variable.size ? nil : "\(bytes.count) bytes do not fit the \(variable.size)-byte variable"
        case (.bool, .bool), (.bool, .unsignedInteger), (.bool, .signedInteger): return nil
        case (.int(let number), .signedInteger), (.int(let number), .unsignedInteger), (.int(let number), .bool):
            if variable.kind == .unsignedInteger && number < 0 { return "\(number) is negative and the variable is unsigned" }
            guard variable.size < 8 else { return nil }
            let bits = variable.size * 8
            let fits = variable.kind == .unsignedInteger || variable.kind == .bool
                ? number < (Int64(1) << bits)
                : number >= -(Int64(1) << (bits - 1)) && number < (Int64(1) << (bits - 1))
            return fits ? nil : "\(number) does not fit the \(variable.size)-byte variable"
        case (_, .bytes): return "the variable takes bytes (a string or an array of bytes)"
        }
    }

    private static func objectBytes(sha256: String, on connection: PostgresConnection) throws -> [UInt8] {
        guard let info = try connection.query("SELECT size FROM artifacts WHERE sha256 = \(sha256)").first else {
            throw APIError.unprocessable("the program's object \(sha256) is missing from the registry")
        }
        // Uploads are refused beyond the limit; rows stored before it was set may be larger.
        guard try info.decode("size", as: Int64.self) <= ProgramStore.maximumObjectBytes else {
            throw APIError.unprocessable("the program's object is larger than \(ProgramStore.maximumObjectBytes >> 20) MiB")
        }
        var bytes: [UInt8] = []
        for row in try connection.query("SELECT data FROM artifact_chunks WHERE sha256 = \(sha256) ORDER BY seq").rows {
            bytes += try row.decode("data", as: [UInt8].self)
        }
        return bytes
    }

    private static func checkSchedule(_ run: PolicyDocument.ModelRun, model: JSON, path: String) throws {
        let inputs = (model["inputs"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        if let input = run.input {
            guard inputs.contains(input) else {
                throw APIError.unprocessable("\(path).features_from.input: the model has no input '\(input)' (it has \(inputs.joined(separator: ", ")))")
            }
        } else if inputs.count != 1 {
            throw APIError.unprocessable("\(path).features_from.input: the model has inputs \(inputs.joined(separator: ", ")); name the one the map feeds")
        }
    }
}
