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

        @OptionGroup var upload: RegistryUploadOptions

        @Option(help: ArgumentHelp("A JSON manifest file: how to attach, which maps to export.", valueName: "file"))
        var manifest: String?

        func run() throws {
            let manifestJSON = try manifest.map { try Fleetctl.Upload.readJSON($0, option: "--manifest") }
            let signatureText = try upload.signatureText()
            let client = try globals.client()
            let filename = file.split(separator: "/").last.map(String.init) ?? file
            let program = try TransferProgressLine.showing(.upload, label: "uploading \(filename)") { progress in
                try client.uploadProgram(NewProgram(name: upload.name, version: upload.version, objectPath: file, manifest: manifestJSON,
                                                    signature: signatureText), progress: progress)
            }
            globals.printer.show(program) { DetailView.program(program, now: $0).render() }
        }
    }
}
