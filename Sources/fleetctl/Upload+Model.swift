import ArgumentParser
import FleetClient

extension Fleetctl.Upload {
    struct UploadModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model",
            abstract: "Upload an ONNX model with its metadata and signature; prints the registered model.",
            discussion: """
                The file is streamed from disk as multipart/form-data, never read whole into memory; a \
                progress line is drawn on stderr when it is a terminal. The server loads the model with the \
                runtime executors use and refuses it (422) when it does not parse, imports an unsupported \
                opset or uses operators the runtime lacks (all of them are named). It records the model's \
                inputs, outputs, opset and operators. A name and version pair can be uploaded once.

                --metadata takes a file holding a JSON object, stored with the model and handed to the \
                executors that deploy it. --signature takes a file holding the Ed25519 signature of the \
                model's SHA-256 digest (32 raw bytes), raw (64 bytes) or base64-encoded.

                Deploy it with a model.deploy command naming it as name@version:
                  fleetctl send command DEVICE model.deploy --payload '{"model": "anomaly@1.0.0"}'

                Examples:
                  fleetctl upload model anomaly.onnx --name anomaly --version 1.0.0
                  fleetctl upload model mlp.onnx --name mlp --version 2 --metadata mlp.json --signature mlp.sig
                  fleetctl -o json upload model cnn.onnx --name cnn --version 1 | jq .inputs
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("The ONNX model file.", valueName: "file"))
        var file: String

        @OptionGroup var upload: RegistryUploadOptions

        @Option(help: ArgumentHelp("A file with a JSON object stored with the model.", valueName: "file"))
        var metadata: String?

        func run() throws {
            let metadataJSON = try metadata.map { try Fleetctl.Upload.readJSON($0, option: "--metadata") }
            if let metadataJSON, metadataJSON.objectValue == nil {
                throw ValidationError("--metadata \(metadata ?? "") must hold a JSON object")
            }
            let signatureText = try upload.signatureText()
            let client = try globals.client()
            let filename = file.split(separator: "/").last.map(String.init) ?? file
            let model = try TransferProgressLine.showing(.upload, label: "uploading \(filename)") { progress in
                try client.uploadModel(NewModel(name: upload.name, version: upload.version, modelPath: file, metadata: metadataJSON,
                                                signature: signatureText), progress: progress)
            }
            globals.printer.show(model) { DetailView.model(model, now: $0).render() }
        }
    }
}
