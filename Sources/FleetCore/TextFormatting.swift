/// Text helpers that the standard library lacks, so that client and executor code needs no ICU.

extension StringProtocol {
    /// The text without leading and trailing whitespace (newlines included).
    public var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits per byte.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension BinaryFloatingPoint {
    /// The value with exactly `decimals` digits after the point, rounded half away from zero
    /// (`%.Nf`); "nan", "inf" and "-inf" for the special values.
    public func formatted(decimals: Int) -> String {
        let value = Double(self)
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let decimals = max(0, min(decimals, 17))
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let magnitude = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        // Beyond 2^63 the fraction is meaningless; fall back to the shortest representation.
        guard magnitude < 9.2e18 else { return String(value) }
        let units = UInt64(magnitude)
        let integer = units / UInt64(scale), fraction = units % UInt64(scale)
        var text = (value < 0 && units != 0 ? "-" : "") + String(integer)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// The value with `significant` significant digits, in exponent notation when it is very large
    /// or very small (like `%.Ng`, trailing zeros removed).
    public func formatted(significant: Int) -> String {
        let value = Double(self)
        if value.isNaN || value.isInfinite || value == 0 { return value == 0 ? "0" : formatted(decimals: 0) }
        let significant = max(1, min(significant, 17))
        var exponent = Int((abs(value)).log10Floor)
        var mantissa = value / pow10(exponent)
        // Rounding may carry into the next power of ten (9.996 -> 10.0).
        if abs(Double(mantissa.formatted(decimals: significant - 1)) ?? mantissa) >= 10 {
            exponent += 1
            mantissa = value / pow10(exponent)
        }
        if exponent < -4 || exponent >= significant {
            let digits = trimZeros(mantissa.formatted(decimals: significant - 1))
            return digits + "e" + (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + String(abs(exponent))
        }
        return trimZeros(value.formatted(decimals: max(0, significant - 1 - exponent)))
    }
}

private func pow10(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<abs(exponent) { result *= 10 }
    return exponent < 0 ? 1 / result : result
}

private func trimZeros(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var text = Substring(text)
    while text.last == "0" { text.removeLast() }
    if text.last == "." { text.removeLast() }
    return String(text)
}

private extension Double {
    /// floor(log10(self)) for a positive finite value, exact at powers of ten.
    var log10Floor: Int {
        var exponent = 0
        var value = self
        while value >= 10 { value /= 10; exponent += 1 }
        while value < 1 { value *= 10; exponent -= 1 }
        return exponent
    }
}
