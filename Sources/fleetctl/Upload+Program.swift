import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON
import Foundation

extension Fleetctl.Upload {
    struct UploadProgram: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "program",
            abstract: "Upload an eBPF object file with its manifest and signature; prints the registered program.",
            discussion: """
                The object is streamed from disk as multipart/form-data, never read whole into memory; a \
                progress line is drawn on stderr when it is a terminal. The server checks that the file is a \
                relocatable EM_BPF ELF object with at least one program, and that the manifest names programs \
                and maps the object has. A name and version pair can be uploaded once.

                --signature takes a file holding the Ed25519 signature of the object's SHA-256 digest (32 raw \
                bytes), either raw (64 bytes, as `openssl pkeyutl -sign` writes it) or base64-encoded.

                Examples:
                  fleetctl upload program bpf/build/syscall_count.bpf.o --name syscall-count --version 1.0.0 \\
                    --manifest bpf/syscall_count.manifest.json
                  fleetctl -o json upload program xdp.o --name xdp-counter --version 2.1 --signature xdp.sig | jq -r .id
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The ELF object clang -target bpf -c produced.", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("The program's name: letters, digits, '.', '_' and '-'.", valueName: "name"))
        var name: String

        @Option(help: ArgumentHelp("Its version: letters, digits, '.', '_', '+' and '-'; name and version are unique.", valueName: "version"))
        var version: String

        @Option(help: ArgumentHelp("A JSON manifest file: how to attach, which maps to export.", valueName: "file"))
        var manifest: String?

        @Option(help: ArgumentHelp("A file with the Ed25519 signature, raw or base64.", valueName: "file"))
        var signature: String?

        func validate() throws {
            guard !name.isEmpty else { throw ValidationError("--name must not be empty") }
            guard !version.isEmpty else { throw ValidationError("--version must not be empty") }
        }

        func run() throws {
            let manifestJSON = try manifest.map(Self.readManifest)
            let signatureText = try signature.map(Self.readSignature)
            let client = try globals.client()
            let filename = file.split(separator: "/").last.map(String.init) ?? file
            let progressLine = TransferProgressLine.forTerminal(.upload, label: "uploading \(filename)")
            let program: RegisteredProgram
            do {
                program = try client.uploadProgram(NewProgram(name: name, version: version, objectPath: file,
                                                              manifest: manifestJSON, signature: signatureText),
                                                   progress: progressLine.map { line in { line.update($0) } })
                progressLine?.finish()
            } catch {
                progressLine?.finish()
                throw error
            }
            globals.printer.show(program) { DetailView.program(program, now: $0).render() }
        }

        static func readManifest(_ path: String) throws -> JSON {
            let bytes = try readFile(path, option: "--manifest")
            do { return try JSON.parse(bytes) } catch let error as JSONError {
                throw FleetClientError(kind: .invalidConfiguration, title: "--manifest \(path) is not valid JSON", detail: error.description)
            }
        }

        static func readSignature(_ path: String) throws -> String {
            let bytes = try readFile(path, option: "--signature")
            do { return try ProgramSignatureText.normalize(bytes) } catch let error as ProgramSignatureText.Invalid {
                throw FleetClientError(kind: .invalidConfiguration, title: "invalid --signature \(path)", detail: error.description)
            }
        }

        static func readFile(_ path: String, option: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FleetClientError(kind: .invalidConfiguration, title: "cannot read \(option) \(path)", detail: "no such file, or not readable")
            }
            return [UInt8](data)
        }
    }
}
