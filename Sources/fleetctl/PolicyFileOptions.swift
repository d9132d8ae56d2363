import ArgumentParser
import FleetClient
import FleetJSON
import FleetYAML
import Foundation

/// `-f FILE`, repeated, for `apply` and `diff`: YAML or JSON files of policy documents.
struct PolicyFileOptions: ParsableArguments {
    /// Larger files are refused rather than read whole (`-f /dev/zero` would never end).
    static let maximumFileSize = 16 << 20

    @Option(name: [.customShort("f"), .customLong("filename")],
            help: ArgumentHelp("A YAML or JSON file of policies, a directory of them (*.yaml, *.yml, *.json), or - for stdin; repeatable.",
                               valueName: "file"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give a file with -f FILE (or -f - to read stdin)") }
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("-f - (stdin) can be given once") }
    }

    /// Where a document came from, for messages: `north.yaml`, or `all.yaml, document 2` when the file has several.
    struct Entry {
        let origin: String
        /// The document's envelope read, or why it could not be.
        let manifest: Result<PolicyManifest, Failure>
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Calls `body` with each policy to send, in document order, and where it came from. A document that cannot
    /// be read, or that names a policy an earlier one named, is reported on stderr as one `error:` line in its
    /// place and left out.
    /// - Returns: whether any document was left out.
    func forEachPolicy(_ body: (_ origin: String, _ manifest: PolicyManifest) throws -> Void) rethrows -> Bool {
        var failed = false
        var origins: [String: String] = [:]
        for entry in entries() {
            switch entry.manifest {
            case .failure(let failure):
                Console.error("\(entry.origin): \(failure)")
                failed = true
            case .success(let manifest):
                if let first = origins[manifest.name] {
                    Console.error("\(entry.origin): policy/\(manifest.name) is in \(first) too; give each policy once")
                    failed = true
                } else {
                    origins[manifest.name] = entry.origin
                    try body(entry.origin, manifest)
                }
            }
        }
        return failed
    }

    /// Every document of every file, in order; unreadable files and malformed documents are failures of their own.
    func entries() -> [Entry] {
        var entries: [Entry] = []
        for path in expandedPaths() {
            let name = path == "-" ? "stdin" : path
            let text: String
            do {
                text = try Self.read(path)
            } catch {
                entries.append(Entry(origin: name, manifest: .failure(error)))
                continue
            }
            let documents = DocumentStream.documents(in: text, format: .of(path: path == "-" ? nil : path, text: text))
            if documents.isEmpty {
                entries.append(Entry(origin: name, manifest: .failure(Failure(description: "no documents in it"))))
            }
            for document in documents {
                let origin = documents.count == 1 ? name : "\(name), document \(document.index)"
                let manifest: Result<PolicyManifest, Failure>
                switch document.content {
                case .failure(let error):
                    manifest = .failure(Failure(description: error.description))
                case .success(let json):
                    do {
                        manifest = .success(try PolicyManifest(json: json))
                    } catch {
                        manifest = .failure(Failure(description: "\(error)"))
                    }
                }
                entries.append(Entry(origin: origin, manifest: manifest))
            }
        }
        return entries
    }

    /// Directories replaced by their YAML and JSON files, in name order.
    private func expandedPaths() -> [String] {
        files.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
            let documents = names.filter { name in [".yaml", ".yml", ".json"].contains { name.lowercased().hasSuffix($0) } }.sorted()
            return documents.map { (path as NSString).appendingPathComponent($0) }
        }
    }

    private static func read(_ path: String) throws(Failure) -> String {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let file = FileHandle(forReadingAtPath: path) else {
                throw Failure(description: FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file")
            }
            handle = file
        }
        defer { if path != "-" { try? handle.close() } }
        var bytes = Data()
        do {
            while let piece = try handle.read(upToCount: 1 << 16), !piece.isEmpty {
                bytes.append(piece)
                guard bytes.count <= maximumFileSize else { throw Failure(description: "larger than \(maximumFileSize >> 20) MiB") }
            }
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: "cannot read it: \(error.localizedDescription)")
        }
        guard let text = String(data: bytes, encoding: .utf8) else { throw Failure(description: "not UTF-8 text") }
        return text
    }
}
