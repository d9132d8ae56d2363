import ArgumentParser
import FleetClient

/// `--name`, `--version` and `--signature` of every registry upload (programs, models).
struct RegistryUploadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The name: letters, digits, '.', '_' and '-'.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("Its version: letters, digits, '.', '_', '+' and '-'; name and version are unique.", valueName: "version"))
    var version: String

    @Option(help: ArgumentHelp("A file with the Ed25519 signature, raw or base64.", valueName: "file"))
    var signature: String?

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("--name must not be empty") }
        guard !version.isEmpty else { throw ValidationError("--version must not be empty") }
    }

    /// The signature file's contents as canonical base64 (see `ProgramSignatureText`); nil without --signature.
    func signatureText() throws -> String? {
        guard let path = signature else { return nil }
        let bytes = try Fleetctl.Upload.readFile(path, option: "--signature")
        do { return try ProgramSignatureText.normalize(bytes) } catch let error as ProgramSignatureText.Invalid {
            throw FleetClientError(kind: .invalidConfiguration, title: "invalid --signature \(path)", detail: error.description)
        }
    }
}
