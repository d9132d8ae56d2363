import Foundation
import FleetCore

/// How points are combined within one time bucket of one series.
enum TelemetryAggregation: String, Sendable, CaseIterable {
    case avg, min, max, sum, last
    /// Per-second increase of a cumulative counter; a drop in value is a counter reset and counts from the new value.
    case rate
}

/// `GET /v1/telemetry` parameters, checked and with defaults applied.
struct TelemetryQuery: Sendable, Equatable {
    static let defaultRange: TimeInterval = 3600
    static let stepRange = 10...86_400
    /// The default step aims at no more than this many buckets per series.
    static let targetBuckets = 300
    static let maximumBuckets = 10_000

    let device: DeviceID
    let metric: String
    let from: Date
    let to: Date
    /// Bucket width in seconds; buckets are aligned to the Unix epoch, so they are stable across queries.
    let step: Int
    /// `agg` as asked for; without one the metric's kind decides (`MetricKind.defaultAggregation`).
    var aggregation: TelemetryAggregation
    let aggregationWasGiven: Bool
    let selector: LabelSelector

    /// - Parameter parameters: the decoded query string.
    /// - Throws: `APIError` 400 naming the offending parameter.
    init(_ parameters: [String: String], now: Date) throws {
        func value(_ name: String) -> String? { parameters[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let deviceText = value("device_id") else { throw APIError.badRequest("query parameter 'device_id' is required") }
        guard let device = DeviceID(deviceText) else { throw APIError.badRequest("device_id: '\(deviceText)' is not a valid UUID") }
        guard let metric = value("metric") else { throw APIError.badRequest("query parameter 'metric' is required") }
        guard MetricName.isValid(metric) else { throw APIError.badRequest("metric: '\(metric)' is not a metric name") }
        func time(_ name: String) throws -> Date? {
            guard let text = value(name) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw APIError.badRequest("\(name): '\(text)' is not an RFC 3339 timestamp such as 2026-11-29T07:00:00Z")
            }
            return date
        }
        let to = try time("to") ?? now
        let from = try time("from") ?? to.addingTimeInterval(-Self.defaultRange)
        guard from < to else { throw APIError.badRequest("from must be earlier than to") }

        let span = to.timeIntervalSince(from)
        let step: Int
        if let text = value("step") {
            guard let seconds = Int(text), Self.stepRange.contains(seconds) else {
                throw APIError.badRequest("step must be an integer number of seconds in \(Self.stepRange.lowerBound)...\(Self.stepRange.upperBound)")
            }
            step = seconds
        } else {
            let wanted = (span / Double(Self.targetBuckets)).rounded(.up)
            step = Int(Swift.min(Swift.max(wanted, Double(Self.stepRange.lowerBound)), Double(Self.stepRange.upperBound)))
        }
        let buckets = Self.bucketCount(from: from, to: to, step: step)
        guard buckets <= Self.maximumBuckets else {
            throw APIError.badRequest("from..to in steps of \(step) s makes \(buckets) buckets; at most \(Self.maximumBuckets): shorten the range or raise step")
        }

        let aggregation: TelemetryAggregation
        if let text = value("agg") {
            guard let known = TelemetryAggregation(rawValue: text) else {
                throw APIError.badRequest("unknown agg '\(text)': use \(TelemetryAggregation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            aggregation = known
        } else {
            aggregation = .avg
        }
        aggregationWasGiven = value("agg") != nil

        let selector: LabelSelector
        do { selector = try LabelSelector(parsing: parameters["labels"] ?? "") } catch let error as LabelSelectorError {
            throw APIError.badRequest("labels: \(error.description)")
        }

        self.device = device
        self.metric = metric
        self.from = from
        self.to = to
        self.step = step
        self.aggregation = aggregation
        self.selector = selector
    }

    /// Applies the default aggregation of the metric's kind, unless the query named one.
    mutating func applyDefault(for kind: MetricKind?) {
        guard !aggregationWasGiven, let kind, let aggregation = TelemetryAggregation(rawValue: kind.defaultAggregation) else { return }
        self.aggregation = aggregation
    }

    /// Epoch-aligned buckets of `step` seconds that `[from, to]` touches.
    static func bucketCount(from: Date, to: Date, step: Int) -> Int {
        let first = (from.timeIntervalSince1970 / Double(step)).rounded(.down)
        let last = (to.timeIntervalSince1970 / Double(step)).rounded(.down)
        let count = last - first + 1
        return count > Double(Int.max / 2) ? Int.max / 2 : Int(count)
    }
}
