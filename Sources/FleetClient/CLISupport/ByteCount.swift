import Glibc
import FleetCore

/// Sizes for people: `512 B`, `4.0 KiB`, `12.3 MiB`, `1.5 GiB` (powers of 1024).
public enum ByteCount {
    public static func format(_ bytes: Int64) -> String {
        guard bytes >= 1024 || bytes <= -1024 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = "B"
        for next in ["KiB", "MiB", "GiB", "TiB", "PiB"] where abs(value) >= 1024 {
            value /= 1024
            unit = next
        }
        return value.formatted(decimals: 1) + " " + unit
    }
}
