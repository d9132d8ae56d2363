import FoundationEssentials
import FleetCore

extension Table {
    public static func models(_ models: [RegisteredModel], now: Date) -> Table {
        Table(headers: ["ID", "NAME", "VERSION", "SHA256", "SIZE", "OPSET", "INPUTS", "CREATED"], rows: models.map { model in
            [model.id.description, model.name, model.version, String(model.sha256.prefix(12)), ByteCount.format(model.size),
             String(model.opsetVersion), model.inputs.isEmpty ? "-" : model.inputs.map(\.description).joined(separator: "; "),
             RelativeTime.describe(model.createdAt, now: now)]
        })
    }
}

extension DetailView {
    public static func model(_ model: RegisteredModel, now: Date) -> DetailView {
        func list(_ tensors: [RegisteredModel.TensorInfo]) -> String {
            tensors.isEmpty ? "<none>" : tensors.map(\.description).joined(separator: "\n")
        }
        var fields: [(name: String, value: String)] = [
            ("ID", model.id.description), ("NAME", model.name), ("VERSION", model.version), ("SHA256", model.sha256),
            ("SIZE", model.size < 1024 ? ByteCount.format(model.size) : "\(ByteCount.format(model.size)) (\(model.size) bytes)"),
            ("OPSET", String(model.opsetVersion)), ("IR VERSION", String(model.irVersion)), ("PRODUCER", model.producer ?? "-"),
            ("INPUTS", list(model.inputs)), ("OUTPUTS", list(model.outputs)),
            ("OPERATORS", model.operators.isEmpty ? "<none>" : model.operators.joined(separator: ", ")),
            ("SIGNED", model.signed ? "yes" : "no"),
            ("METADATA", model.metadata.isNull ? "<none>" : compact(model.metadata)),
            ("CREATED", timestamp(model.createdAt, now: now)),
        ]
        if let createdBy = model.createdBy { fields.append(("CREATED BY", createdBy)) }
        return DetailView(fields)
    }
}
