/// PostgreSQL's one-dimensional array text format: `{"a","b\"c",NULL}`.
enum PostgresArrayText {
    /// Quotes every element (valid for any element type); nil becomes an unquoted NULL.
    ///
    /// Works on UTF-8 bytes: a backslash and a double quote are ASCII, so escaping them byte by byte is exact,
    /// and it spares the per-Character walk that made binding arrays of thousands of ids a large share of a bulk
    /// write's CPU time.
    static func format(_ elements: [String?]) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "{")]
        bytes.reserveCapacity(2 + elements.count * 40)
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let element else { bytes.append(contentsOf: "NULL".utf8); continue }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses array output into its element texts (nil for NULL); nil when malformed or multi-dimensional.
    static func parse(_ text: String) -> [String?]? {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            bytes = bytes[(equals + 1)...]
        }
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "{"), bytes.last == UInt8(ascii: "}") else { return nil }
        let inner = bytes.dropFirst().dropLast()
        var elements: [String?] = []
        var index = inner.startIndex
        guard index < inner.endIndex else { return elements }
        while true {
            if inner[index] == UInt8(ascii: "\"") {
                var buffer: [UInt8] = []
                index += 1
                while index < inner.endIndex, inner[index] != UInt8(ascii: "\"") {
                    if inner[index] == UInt8(ascii: "\\") { index += 1 }
                    guard index < inner.endIndex else { return nil }
                    buffer.append(inner[index])
                    index += 1
                }
                guard index < inner.endIndex else { return nil }
                index += 1
                elements.append(String(decoding: buffer, as: UTF8.self))
            } else {
                let start = index
                while index < inner.endIndex, inner[index] != UInt8(ascii: ",") {
                    if inner[index] == UInt8(ascii: "{") || inner[index] == UInt8(ascii: "\"") { return nil }
                    index += 1
                }
                let token = String(decoding: inner[start..<index], as: UTF8.self)
                guard !token.isEmpty else { return nil }
                elements.append(token.uppercased() == "NULL" ? nil : token)
            }
            if index == inner.endIndex { return elements }
            guard inner[index] == UInt8(ascii: ","), index + 1 < inner.endIndex else { return nil }
            index += 1
        }
    }
}
