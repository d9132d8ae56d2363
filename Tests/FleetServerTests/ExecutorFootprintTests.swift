import Foundation
import Testing

/// The executor runs on small devices: it must not pull in Foundation's ICU data (about 34 MB of binary and
/// the matching resident memory). Only FoundationEssentials is allowed on its path.
@Suite struct ExecutorFootprintTests {
    @Test func executorLinksNoFoundationOrICULibrary() throws {
        let linked = try ProgramFixtures.run("/usr/bin/ldd", [BuiltProducts.fleetExecutor.path])
        try #require(linked.status == 0, "ldd: \(linked.errors)")
        let libraries = linked.output.split(separator: "\n").compactMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
        #expect(libraries.contains { $0.hasPrefix("libbpf.so") }, "ldd lists the executor's libraries: \(libraries)")
        let forbidden = libraries.filter { $0.hasPrefix("libFoundation.so") || $0.contains("ICU") || $0.hasPrefix("libFoundationInternationalization") }
        #expect(forbidden.isEmpty, "the executor links \(forbidden)")
    }
}
