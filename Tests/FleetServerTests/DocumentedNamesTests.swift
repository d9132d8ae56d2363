import Foundation
import FleetCore
import FleetJSON
import Testing

/// The metric names and command types that help text, the README and the OpenAPI file mention are ones the
/// code defines: the executor's own metrics (`ExecutorMetric`), those the shipped manifests export, and
/// `CommandType.known`.
@Suite struct DocumentedNamesTests {
    /// Every help text of a binary, from swift-argument-parser's dump of its whole command tree.
    static func helpText(_ binary: URL) throws -> String {
        let dump = try ProgramFixtures.run(binary.path, ["--experimental-dump-help"])
        try #require(dump.status == 0, "\(binary.lastPathComponent) --experimental-dump-help: \(dump.errors)")
        var texts: [String] = []
        func collect(_ json: JSON) {
            switch json {
            case .string(let text): texts.append(text)
            case .array(let items): items.forEach(collect)
            case .object(let members): members.values.forEach(collect)
            default: break
            }
        }
        collect(try JSON.parse(Array(dump.output.utf8)))
        return texts.joined(separator: "\n")
    }

    static func file(_ path: String) throws -> String {
        try String(contentsOf: BuiltProducts.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    static func matches(_ pattern: String, in text: String, group: Int = 1) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: group), in: text).map { String(text[$0]) }
        })
    }

    /// The metrics the code defines: the executor's own and every metric the manifests in bpf/ export, with
    /// the series a histogram and a ring buffer add.
    static func definedMetrics() throws -> Set<String> {
        var names = Set(ExecutorMetric.all.map(\.name))
        let directory = BuiltProducts.packageRoot.appendingPathComponent("bpf")
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".manifest.json") {
            let manifest = try ProgramManifest(json: JSON.parse(Array(Data(contentsOf: directory.appendingPathComponent(file)))))
            for map in manifest.maps {
                names.insert(map.metric)
                if map.kind == .histogramLog2 { names.formUnion([map.metric + "_bucket", map.metric + "_count"]) }
            }
            for ring in manifest.ringbufs { names.formUnion([ring.metric, ring.metric + "_dropped_total"]) }
        }
        return names
    }

    /// Metric names as documents use them: the metric argument of `get telemetry` examples, `metric=` in
    /// URLs, `name{labels}` series, and anything in the executor's own `executor_` namespace.
    static func mentionedMetrics(in text: String) throws -> Set<String> {
        try matches(#"get telemetry +\S+ +([a-z_][a-z0-9_:]*)"#, in: text)
            .union(matches(#"[?&]metric=([a-z_][a-z0-9_:]*)"#, in: text))
            .union(matches(#"`([a-z_][a-z0-9_]*)\{[a-z_, =\"]*\}"#, in: text))
            .union(matches(#"(?<![\w./-])(executor_[a-z0-9_]+)"#, in: text))
            .subtracting(["executor_version"])  // an inventory field, not a metric
    }

    /// Dotted names in the command namespaces, less file names (`model.onnx`) and audit actions (`model.create`).
    static func mentionedCommandTypes(in text: String) throws -> Set<String> {
        let notCommands: Set<String> = ["onnx", "json", "yaml", "o", "c", "service", "create", "delete", "update", "revoke"]
        return try matches(#"(?<![\w./-])((?:program|model|inference|state|telemetry|executor)\.[a-z_]+)(?![\w-])"#, in: text)
            .filter { !notCommands.contains(String($0.split(separator: ".").last ?? "")) }
    }

    static func documents() throws -> [(String, String)] {
        [
            ("fleetctl help", try helpText(BuiltProducts.directory.appendingPathComponent("fleetctl"))),
            ("fleet-executor help", try helpText(BuiltProducts.fleetExecutor)),
            ("fleet-server help", try helpText(BuiltProducts.directory.appendingPathComponent("fleet-server"))),
            ("README.md", try file("README.md")),
            ("openapi/fleet.yaml", try file("openapi/fleet.yaml")),
        ]
    }

    @Test func everyMetricTheDocsNameIsOneTheCodeDefines() throws {
        let defined = try Self.definedMetrics()
        var mentionedAnywhere = Set<String>()
        for (name, text) in try Self.documents() {
            let mentioned = try Self.mentionedMetrics(in: text)
            mentionedAnywhere.formUnion(mentioned)
            #expect(mentioned.subtracting(defined).isEmpty, "\(name) names metrics nothing reports: \(mentioned.subtracting(defined).sorted())")
        }
        #expect(mentionedAnywhere.contains("syscalls_total") && mentionedAnywhere.contains("executor_rss_bytes"),
                "the extraction finds the metrics the docs do name: \(mentionedAnywhere.sorted())")
    }

    @Test func everyCommandTypeTheDocsNameIsOneTheExecutorRuns() throws {
        var mentionedAnywhere = Set<String>()
        for (name, text) in try Self.documents() {
            let mentioned = try Self.mentionedCommandTypes(in: text)
            mentionedAnywhere.formUnion(mentioned)
            #expect(mentioned.subtracting(CommandType.known).isEmpty,
                    "\(name) names command types the executor rejects: \(mentioned.subtracting(CommandType.known).sorted())")
        }
        #expect(CommandType.known.isSubset(of: mentionedAnywhere), "undocumented: \(CommandType.known.subtracting(mentionedAnywhere).sorted())")
    }

    @Test func theExtractionCatchesWhatTheHelpUsedToSay() throws {
        let old = "fleetctl get telemetry 5f0c… cpu_percent --from x\nfleetctl -o json get telemetry 5f0c… executor_memory_bytes --since 1h\n"
            + "Types: program.load, state.sync. See packaging/fleet-executor.service, docker/executor.Dockerfile, model.onnx."
        #expect(try Self.mentionedMetrics(in: old) == ["cpu_percent", "executor_memory_bytes"])
        #expect(try Self.mentionedCommandTypes(in: old) == ["program.load", "state.sync"])
    }
}
