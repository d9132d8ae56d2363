import FleetJSON

/// What a policy says should be true on the devices its selector matches (DESIGN section 6):
///
/// ```json
/// {"selector": "site=north", "priority": 10,
///  "programs": [{"name": "syscalls", "program": "syscall_count@1.2.0", "attach": {...}, "rodata": {"x": 1}}],
///  "models": [{"name": "anomaly", "model": "anomaly@3",
///              "run": {"every_seconds": 10, "features_from": {"program": "syscalls", "map": "syscall_total"}}}],
///  "telemetry": {"interval_seconds": 15}}
/// ```
///
/// Parsing checks the document's own shape (unknown fields, types, ranges, duplicate item names); whether the
/// versions exist and the attach targets and rodata names fit the object is for the server to check.
public struct PolicyDocument: Sendable, Equatable {
    public static let priorityRange = -1_000_000...1_000_000
    public static let maximumItems = 64
    public static let runIntervalRange = 1...86_400
    public static let telemetryIntervalRange = 1...3600

    public struct ProgramItem: Sendable, Equatable {
        /// The deployment's name on the device (its pins live under `/sys/fs/bpf/fleet/<name>`).
        public var name: String
        public var program: ArtifactReference
        /// Attach overrides as `program.load` takes them: one attach object, or one per program name.
        public var attach: JSON?
        /// `.rodata` values by variable name.
        public var rodata: [String: JSON]?

        public init(name: String, program: ArtifactReference, attach: JSON? = nil, rodata: [String: JSON]? = nil) {
            self.name = name
            self.program = program
            self.attach = attach
            self.rodata = rodata
        }
    }

    public struct ModelItem: Sendable, Equatable {
        public var name: String
        public var model: ArtifactReference
        public var run: ModelRun?

        public init(name: String, model: ArtifactReference, run: ModelRun? = nil) {
            self.name = name
            self.model = model
            self.run = run
        }
    }

    /// Scheduled inference: every `everySeconds`, fed by a map of one of the device's programs.
    public struct ModelRun: Sendable, Equatable {
        public var everySeconds: Int
        public var program: String
        public var map: String
        public var input: String?

        public init(everySeconds: Int, program: String, map: String, input: String? = nil) {
            self.everySeconds = everySeconds
            self.program = program
            self.map = map
            self.input = input
        }
    }

    public var selector: LabelSelector
    public var priority: Int
    public var programs: [ProgramItem]
    public var models: [ModelItem]
    public var telemetryIntervalSeconds: Int?

    public init(selector: LabelSelector, priority: Int = 0, programs: [ProgramItem] = [], models: [ModelItem] = [],
                telemetryIntervalSeconds: Int? = nil) {
        self.selector = selector
        self.priority = priority
        self.programs = programs
        self.models = models
        self.telemetryIntervalSeconds = telemetryIntervalSeconds
    }

    /// - Throws: `JSONError` with the JSON path of the first problem (`programs[1].program`).
    public init(json: JSON) throws {
        var reader = try JSONObjectReader(json)
        let selectorText: String = try reader.require("selector")
        let priority: Int = try reader.optional("priority") ?? 0
        let programs: [JSON] = try reader.optional("programs") ?? []
        let models: [JSON] = try reader.optional("models") ?? []
        let telemetry = try reader.optional("telemetry", as: JSON.self)
        try reader.finish()

        do { selector = try LabelSelector(parsing: selectorText) } catch let error as LabelSelectorError {
            throw JSONError(path: "selector", message: error.description)
        }
        guard Self.priorityRange.contains(priority) else {
            throw JSONError(path: "priority", message: "must be between \(Self.priorityRange.lowerBound) and \(Self.priorityRange.upperBound)")
        }
        self.priority = priority
        guard programs.count <= Self.maximumItems else { throw JSONError(path: "programs", message: "at most \(Self.maximumItems) programs") }
        guard models.count <= Self.maximumItems else { throw JSONError(path: "models", message: "at most \(Self.maximumItems) models") }
        self.programs = try programs.enumerated().map { try Self.program($1, path: "programs[\($0)]") }
        self.models = try models.enumerated().map { try Self.model($1, path: "models[\($0)]") }
        try Self.checkUnique(self.programs.map(\.name), path: "programs")
        try Self.checkUnique(self.models.map(\.name), path: "models")
        if let telemetry {
            var settings = try JSONObjectReader(telemetry, path: "telemetry")
            let interval: Int = try settings.require("interval_seconds")
            try settings.finish()
            guard Self.telemetryIntervalRange.contains(interval) else {
                throw JSONError(path: "telemetry.interval_seconds", message: "must be between 1 and 3600")
            }
            telemetryIntervalSeconds = interval
        } else {
            telemetryIntervalSeconds = nil
        }
    }

    /// The canonical document: the same policy always gives the same JSON (and so the same serialisation).
    public var json: JSON {
        var members: [String: JSON] = [
            "selector": .string(selector.description), "priority": .int(Int64(priority)),
            "programs": .array(programs.map(\.json)), "models": .array(models.map(\.json)),
        ]
        if let telemetryIntervalSeconds { members["telemetry"] = ["interval_seconds": .int(Int64(telemetryIntervalSeconds))] }
        return .object(members)
    }

    private static func program(_ json: JSON, path: String) throws -> ProgramItem {
        var reader = try JSONObjectReader(json, path: path)
        let name: String = try reader.require("name")
        let program: ArtifactReference = try reader.require("program")
        let attach = try reader.optional("attach", as: JSON.self)
        let rodata = try reader.optional("rodata", as: [String: JSON].self)
        try reader.finish()
        try checkItemName(name, path: "\(path).name")
        if let attach, attach.objectValue == nil {
            throw JSONError(path: "\(path).attach", message: "must be an attach object, or one per program name")
        }
        return ProgramItem(name: name, program: program, attach: attach, rodata: rodata)
    }

    private static func model(_ json: JSON, path: String) throws -> ModelItem {
        var reader = try JSONObjectReader(json, path: path)
        let name: String = try reader.require("name")
        let model: ArtifactReference = try reader.require("model")
        let run = try reader.optional("run", as: JSON.self)
        try reader.finish()
        try checkItemName(name, path: "\(path).name")
        return ModelItem(name: name, model: model, run: try run.map { try Self.run($0, path: "\(path).run") })
    }

    private static func run(_ json: JSON, path: String) throws -> ModelRun {
        var reader = try JSONObjectReader(json, path: path)
        let every: Int = try reader.require("every_seconds")
        let source = try reader.require("features_from", as: JSON.self)
        try reader.finish()
        guard runIntervalRange.contains(every) else { throw JSONError(path: "\(path).every_seconds", message: "must be between 1 and 86400") }
        var features = try JSONObjectReader(source, path: "\(path).features_from")
        let program: String = try features.require("program")
        let map: String = try features.require("map")
        let input: String? = try features.optional("input")
        try features.finish()
        try checkItemName(program, path: "\(path).features_from.program")
        guard !map.isEmpty, map.count <= 64 else { throw JSONError(path: "\(path).features_from.map", message: "must be a map name") }
        return ModelRun(everySeconds: every, program: program, map: map, input: input)
    }

    /// Item names are deployment names on the device.
    static func checkItemName(_ name: String, path: String) throws {
        try DeploymentName.check(name, path: path)
    }

    private static func checkUnique(_ names: [String], path: String) throws {
        var seen = Set<String>()
        for (index, name) in names.enumerated() where !seen.insert(name).inserted {
            throw JSONError(path: "\(path)[\(index)].name", message: "'\(name)' is named twice")
        }
    }
}

extension PolicyDocument.ProgramItem {
    public var json: JSON {
        var members: [String: JSON] = ["name": .string(name), "program": program.json]
        if let attach { members["attach"] = attach }
        if let rodata { members["rodata"] = .object(rodata) }
        return .object(members)
    }
}

extension PolicyDocument.ModelItem {
    public var json: JSON {
        var members: [String: JSON] = ["name": .string(name), "model": model.json]
        if let run { members["run"] = run.json }
        return .object(members)
    }
}

extension PolicyDocument.ModelRun {
    public var json: JSON {
        var source: [String: JSON] = ["program": .string(program), "map": .string(map)]
        if let input { source["input"] = .string(input) }
        return ["every_seconds": .int(Int64(everySeconds)), "features_from": .object(source)]
    }
}
