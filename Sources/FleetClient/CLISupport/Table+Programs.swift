import FoundationEssentials
import Glibc
import FleetCore

extension Table {
    public static func programs(_ programs: [RegisteredProgram], now: Date) -> Table {
        Table(headers: ["ID", "NAME", "VERSION", "SHA256", "SIZE", "MAPS", "CREATED"], rows: programs.map { program in
            [program.id.description, program.name, program.version, String(program.sha256.prefix(12)), ByteCount.format(program.size),
             program.maps.isEmpty ? "-" : program.maps.map(\.name).joined(separator: ","), RelativeTime.describe(program.createdAt, now: now)]
        })
    }
}

extension DetailView {
    public static func program(_ program: RegisteredProgram, now: Date) -> DetailView {
        let functions = program.programs.map { "\($0.name) (\($0.section))" }.joined(separator: "\n")
        var fields: [(name: String, value: String)] = [
            ("ID", program.id.description), ("NAME", program.name), ("VERSION", program.version), ("SHA256", program.sha256),
            ("SIZE", program.size < 1024 ? ByteCount.format(program.size) : "\(ByteCount.format(program.size)) (\(program.size) bytes)"),
            ("PROGRAMS", functions.isEmpty ? "<none>" : functions),
            ("MAPS", program.maps.isEmpty ? "<none>" : program.maps.map(\.name).joined(separator: ", ")),
            ("SIGNED", program.signed ? "yes" : "no"),
            ("MANIFEST", program.manifest.isNull ? "<none>" : compact(program.manifest)),
            ("CREATED", timestamp(program.createdAt, now: now)),
        ]
        if let createdBy = program.createdBy { fields.append(("CREATED BY", createdBy)) }
        return DetailView(fields)
    }
}
