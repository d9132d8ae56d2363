import FoundationEssentials
import Glibc

/// `12s ago`, `in 3h`: how tables show timestamps.
public enum RelativeTime {
    public static func describe(_ date: Date, now: Date) -> String {
        let delta = now.timeIntervalSince(date)
        let text = short(abs(delta))
        if abs(delta) < 1 { return "just now" }
        return delta >= 0 ? "\(text) ago" : "in \(text)"
    }

    /// `45s`, `12m`, `5h`, `3d`, like kubectl's AGE column.
    public static func short(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<(120 * 60): return "\(seconds / 60)m"
        case ..<(48 * 3600): return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
