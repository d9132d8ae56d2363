import ArgumentParser

extension Fleetctl {
    struct Upload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload eBPF program objects to the registry.",
            discussion: """
                Example:
                  fleetctl upload program build/syscall_count.bpf.o --name syscall-count --version 1.0.0 \\
                    --manifest syscall_count.manifest.json
                """,
            subcommands: [UploadProgram.self]
        )
    }
}
