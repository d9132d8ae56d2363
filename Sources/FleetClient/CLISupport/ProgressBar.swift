import Glibc

/// One line describing a transfer: `[=======>       ]  45%  12.3 MiB / 27.0 MiB  4.1 MiB/s`.
public enum ProgressBar {
    /// - Parameters:
    ///   - done: bytes moved so far.
    ///   - total: bytes in all, or 0 when unknown (the line then has no bar and no percentage).
    ///   - elapsed: time since the transfer began, for the rate.
    ///   - width: columns the line may use; the bar takes what the numbers leave, 10 to 40 columns.
    public static func render(done: Int64, total: Int64, elapsed: Duration, width: Int) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds >= 0.05 ? ByteCount.format(Int64(Double(done) / seconds)) + "/s" : "-"
        guard total > 0 else { return "\(ByteCount.format(done))  \(rate)" }
        let fraction = min(max(Double(done) / Double(total), 0), 1)
        let percent = String(Int((fraction * 100).rounded(.down)))
        let numbers = "\(String(repeating: " ", count: 3 - percent.count))\(percent)%  \(ByteCount.format(done)) / \(ByteCount.format(total))  \(rate)"
        let barWidth = min(40, width - numbers.count - 4)
        guard barWidth >= 10 else { return numbers }
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = filled == barWidth
            ? String(repeating: "=", count: barWidth)
            : String(repeating: "=", count: filled) + ">" + String(repeating: " ", count: barWidth - filled - 1)
        return "[\(bar)]  \(numbers)"
    }
}
