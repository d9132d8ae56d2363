import Glibc
import FleetCore

/// One format for a whole column of numbers, so that a column never mixes `21898`, `6.13e+04` and `263527`:
/// every value is scaled to the same unit, written with the same number of decimals (enough for four
/// significant digits of the largest), thousands grouped with commas, and right-aligned.
public struct NumberColumn: Sendable, Equatable {
    /// What the numbers measure, from the metric's name (`_bytes`, `_seconds`, `_ms`, `_us`).
    public enum Unit: String, Sendable, Equatable {
        case bytes, seconds, milliseconds, microseconds
    }

    /// The unit the values are shown in (`MiB`, `ms`, `/s`), for the header; nil for plain counts.
    public let unitLabel: String?
    /// The cells, in the order of the values; nil values read `-`.
    public let cells: [String]

    /// - Parameter perSecond: the values are rates (a counter shown with `agg=rate`).
    public init(_ values: [Double?], unit: Unit?, perSecond: Bool = false) {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        let largest = finite.map(abs).max() ?? 0
        var divisor = 1.0
        var label: String?
        switch unit {
        case .bytes?:
            let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
            var index = 0
            while index < units.count - 1 && largest / divisor >= 1024 { divisor *= 1024; index += 1 }
            label = units[index]
        case .seconds?: label = "s"
        case .milliseconds?: label = "ms"
        case .microseconds?: label = "µs"
        case nil: label = nil
        }
        if perSecond { label = (label ?? "") + "/s" }
        let scaled = finite.map { $0 / divisor }
        let decimals: Int
        if divisor == 1, scaled.allSatisfy({ $0 == $0.rounded() }) {
            decimals = 0
        } else {
            let top = scaled.map(abs).max() ?? 0
            decimals = top == 0 ? 0 : max(0, min(6, 3 - Int(log10(top).rounded(.down))))
        }
        let texts = values.map { value -> String in
            guard let value, value.isFinite else { return "-" }
            return Self.grouped(value / divisor, decimals: decimals)
        }
        let width = texts.map(\.count).max() ?? 0
        cells = texts.map { String(repeating: " ", count: width - $0.count) + $0 }
        unitLabel = label
    }

    /// The unit a metric's name gives its values, by the Prometheus naming conventions.
    public static func unit(ofMetric name: String) -> Unit? {
        let base = name.hasSuffix("_total") ? String(name.dropLast(6)) : name
        if base.hasSuffix("_bytes") { return .bytes }
        if base.hasSuffix("_seconds") { return .seconds }
        if base.hasSuffix("_ms") { return .milliseconds }
        if base.hasSuffix("_us") { return .microseconds }
        return nil
    }

    /// `-1,234,567.89`: fixed decimals, thousands grouped.
    static func grouped(_ value: Double, decimals: Int) -> String {
        let text = value.formatted(decimals: decimals)
        guard !text.contains("e") else { return text }  // beyond 2^63, where fixed decimals mean nothing
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var integer = Array(parts[0])
        var out: [Character] = []
        while integer.count > 3 {
            out.insert(contentsOf: [","] + integer.suffix(3), at: 0)
            integer.removeLast(3)
        }
        out.insert(contentsOf: integer, at: 0)
        return (negative ? "-" : "") + String(out) + (parts.count > 1 ? "." + parts[1] : "")
    }
}
