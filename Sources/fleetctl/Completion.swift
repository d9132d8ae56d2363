import ArgumentParser

extension Fleetctl {
    struct Completion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a shell completion script for bash, zsh or fish.",
            discussion: """
                Completes verbs, nouns and options. Load it in the running shell, or install it once:
                  source <(fleetctl completion bash)
                  fleetctl completion bash > /etc/bash_completion.d/fleetctl
                  fleetctl completion zsh > "${fpath[1]}/_fleetctl"
                  fleetctl completion fish > ~/.config/fish/completions/fleetctl.fish
                """
        )

        @Argument(help: ArgumentHelp("bash, zsh or fish.", valueName: "shell"))
        var shell: String

        func validate() throws {
            guard CompletionShell(rawValue: shell) != nil else { throw ValidationError("unknown shell '\(shell)': use bash, zsh or fish") }
        }

        func run() throws {
            print(Fleetctl.completionScript(for: CompletionShell(rawValue: shell)!))
        }
    }
}
