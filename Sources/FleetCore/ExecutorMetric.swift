/// A metric the executor reports about itself and its models, whatever programs it runs. Programs add the
/// metrics their manifests name (`ProgramManifest`); this list is what help text and docs are checked against.
public struct ExecutorMetric: Sendable, Hashable {
    public let name: String
    public let kind: MetricKind
    public let labels: [String]
    public let summary: String

    init(_ name: String, _ kind: MetricKind, labels: [String] = [], _ summary: String) {
        self.name = name
        self.kind = kind
        self.labels = labels
        self.summary = summary
    }
}

extension ExecutorMetric {
    public static let rssBytes = ExecutorMetric("executor_rss_bytes", .gauge, "resident memory of the executor")
    public static let cpuSeconds = ExecutorMetric("executor_cpu_seconds_total", .counter, "user and system CPU time of the executor")
    public static let cpuRatio = ExecutorMetric("executor_cpu_ratio", .gauge, "share of one CPU the executor used since the previous sample")
    public static let commandSeconds = ExecutorMetric("executor_command_seconds", .gauge, labels: ["type"], "time one command took to run")
    public static let outboxBatches = ExecutorMetric("executor_outbox_batches", .gauge, "telemetry batches waiting for upload")
    public static let outboxDroppedPoints = ExecutorMetric("executor_outbox_dropped_points_total", .counter,
                                                           "points dropped because the outbox was full")
    public static let programsLoaded = ExecutorMetric("executor_programs_loaded", .gauge, "eBPF program deployments loaded")
    public static let programLoadSeconds = ExecutorMetric("executor_program_load_seconds", .gauge, labels: ["program"],
                                                          "time libbpf took to load a deployment")
    public static let programAttachSeconds = ExecutorMetric("executor_program_attach_seconds", .gauge, labels: ["program"],
                                                            "time a deployment's programs took to attach")
    public static let modelsDeployed = ExecutorMetric("executor_models_deployed", .gauge, "ONNX models deployed")
    public static let inferenceLatency = ExecutorMetric("inference_latency_ms", .gauge, labels: ["model", "trigger"],
                                                        "time one inference took, run by a command or a schedule")
    public static let modelOutput = ExecutorMetric("model_output", .gauge, labels: ["model", "output", "index"],
                                                   "the first 64 elements of each output of a scheduled inference")
    public static let modelScheduleFailures = ExecutorMetric("model_schedule_failures_total", .counter, labels: ["model"],
                                                             "scheduled inferences that could not read their map or did not fit")

    public static let all: [ExecutorMetric] = [
        rssBytes, cpuSeconds, cpuRatio, commandSeconds, outboxBatches, outboxDroppedPoints, programsLoaded,
        programLoadSeconds, programAttachSeconds, modelsDeployed, inferenceLatency, modelOutput, modelScheduleFailures,
    ]
}
