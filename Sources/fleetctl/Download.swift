import ArgumentParser

extension Fleetctl {
    struct Download: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download program objects and models.",
            discussion: """
                Example:
                  fleetctl download program 3f2a… syscall_count.bpf.o
                """,
            subcommands: [DownloadProgram.self, DownloadModel.self]
        )
    }
}
