import Foundation
import Testing
@testable import FleetServer

/// The contract in openapi/fleet.yaml lists exactly the routes the server registers.
@Suite struct OpenAPIContractTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `(METHOD, /path)` pairs from the document's `paths:` section (two-space path keys, four-space methods).
    static func documentedOperations() throws -> Set<String> {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("openapi/fleet.yaml"), encoding: .utf8)
        var operations = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " ", first != "#" { inPaths = false }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()
                if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) { operations.insert("\(method) \(path)") }
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndNothingElse() throws {
        let router = FleetService.makeRouter(heldLongPolls: { 0 })
        let registered = Set(router.registered.map { "\($0.method) \($0.pattern)" })
        let documented = try Self.documentedOperations()
        #expect(!documented.isEmpty)
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi/fleet.yaml")
        #expect(documented.subtracting(registered).sorted() == [], "documented operations the server does not have")
    }

    @Test func theBundledDocumentIsTheRepositoryFile() throws {
        let bundled = try Data(contentsOf: Resources.openAPI)
        let repository = try Data(contentsOf: Self.packageRoot.appendingPathComponent("openapi/fleet.yaml"))
        #expect(bundled == repository)
    }
}
