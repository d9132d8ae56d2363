/// The shortest text of a double that reads back as the same double, for JSON output.
enum RealText {
    /// `0.1`, `100.0`, `1e-05`, `1.2345678901234567e+20`: Swift's shortest round-trip form, which is always a
    /// valid JSON number with a fraction or an exponent, so it still reads back as a real.
    static func text(_ value: Double) -> String { value.description }

    /// Rewrites every real number token outside strings in valid JSON text (as jansson wrote it) with its
    /// shortest round-trip form. Integers (no `.`, `e` or `E`) and strings are copied unchanged.
    static func shortenReals(in json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var index = 0
        var inString = false
        while index < json.count {
            let byte = json[index]
            if inString {
                out.append(byte)
                if byte == UInt8(ascii: "\\"), index + 1 < json.count {
                    out.append(json[index + 1])
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString = false }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                out.append(byte)
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                out.append(byte)
                index += 1
                continue
            }
            var end = index
            var isReal = false
            while end < json.count, isNumberByte(json[end]) {
                if [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(json[end]) { isReal = true }
                end += 1
            }
            let token = json[index..<end]
            if isReal, let value = Double(String(decoding: token, as: UTF8.self)), value.isFinite {
                out.append(contentsOf: text(value).utf8)
            } else {
                out.append(contentsOf: token)
            }
            index = end
        }
        return out
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "e"), UInt8(ascii: "E"): return true
        default: return false
        }
    }
}
