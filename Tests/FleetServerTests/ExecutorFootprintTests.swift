import Foundation
import Testing

/// The executor runs on small devices: it must not pull in Foundation's ICU data (about 34 MB of binary and
/// the matching resident memory), and of FoundationEssentials it may use only `Date` and `UUID`. `Data`,
/// `FileManager`, `URL`, `ProcessInfo`, the JSON coders or format styles each bring about 7.5 MB of it into
/// the static executor, which must stay within 12 MB.
@Suite struct ExecutorFootprintTests {
    @Test func executorLinksNoFoundationOrICULibrary() throws {
        let linked = try ProgramFixtures.run("/usr/bin/ldd", [BuiltProducts.fleetExecutor.path])
        try #require(linked.status == 0, "ldd: \(linked.errors)")
        let libraries = linked.output.split(separator: "\n").compactMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
        #expect(libraries.contains { $0.hasPrefix("libbpf.so") }, "ldd lists the executor's libraries: \(libraries)")
        let forbidden = libraries.filter { $0.hasPrefix("libFoundation.so") || $0.contains("ICU") || $0.hasPrefix("libFoundationInternationalization") }
        #expect(forbidden.isEmpty, "the executor links \(forbidden)")
    }

    @Test func executorUsesOnlyDateAndUUIDFromFoundationEssentials() throws {
        let symbols = try ProgramFixtures.run("/usr/bin/nm", ["--undefined-only", BuiltProducts.fleetExecutor.path])
        try #require(symbols.status == 0, "nm: \(symbols.errors)")
        let module = "20FoundationEssentials"
        let used = symbols.output.split(separator: "\n").compactMap { line -> String? in
            guard let name = line.split(separator: " ").last, let range = name.firstRange(of: module) else { return nil }
            let rest = name[range.upperBound...]
            return rest.hasPrefix("4DateV") || rest.hasPrefix("4UUIDV") ? nil : String(name)
        }
        #expect(symbols.output.contains(module + "4DateV"), "the check reads the executor's FoundationEssentials symbols")
        #expect(used.isEmpty, "the executor uses more of FoundationEssentials than Date and UUID: \(used.prefix(20))")
    }

    /// Substring search and `firstRange(of:)` from the standard library come with the regex engine (about 1 MB
    /// static); the executor's modules use FleetSystem's UTF-8 search instead.
    @Test func executorUsesNoRegexEngine() throws {
        let symbols = try ProgramFixtures.run("/usr/bin/nm", ["--undefined-only", BuiltProducts.fleetExecutor.path])
        try #require(symbols.status == 0, "nm: \(symbols.errors)")
        let used = symbols.output.split(separator: "\n").filter { $0.contains("17_StringProcessing") || $0.contains("12_RegexParser") }
        #expect(used.isEmpty, "the executor uses _StringProcessing: \(used.prefix(10))")
    }
}
