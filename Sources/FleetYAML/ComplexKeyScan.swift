/// Finds keys that are not scalars in YAML text before Yams composes it.
///
/// Yams hashes every key of a mapping to find duplicates, and a hash walks the whole key: a key that is an alias
/// of a collection built from aliases, level upon level, takes exponential time before any limit of the reader's
/// applies. Such keys are refused anyway (keys must be strings), so they are refused first, from the text: an
/// explicit key (`? x`), a flow collection followed by `:` (`[a, b]: x`), and an alias followed by `:` (`*a : x`).
///
/// The scan skips comments, quoted scalars and block scalars, and looks for `?` and `*` only where a key can start
/// (first on a line after `- ` prefixes, or after `[`, `{` and `,` inside flow collections).
enum ComplexKeyScan {
    struct Found: Equatable {
        let line: Int
        let column: Int
    }

    static func firstComplexKey(in text: String) -> Found? {
        var scanner = Scanner()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let column = scanner.scan(Array(line.utf8)) { return Found(line: index + 1, column: column) }
        }
        return nil
    }

    private struct Scanner {
        enum Quote { case single, double }
        var quote: Quote?
        /// Lines more indented than this are the content of a block scalar.
        var blockScalarParent: Int?
        /// Open flow collections; for each, whether it started where a key can start.
        var flows: [Bool] = []

        /// The 1-based column of a complex key on this line, if there is one.
        mutating func scan(_ line: [UInt8]) -> Int? {
            let indent = line.prefix { $0 == space }.count
            if let parent = blockScalarParent {
                if indent == line.count || indent > parent { return nil }
                blockScalarParent = nil
            }
            var index = 0
            var keyCanStart = quote == nil && flows.isEmpty
            var previous: UInt8 = space
            // The column of the current entry's key, for the block scalar it may open.
            var entryColumn = indent
            while index < line.count {
                let byte = line[index]
                defer { index += 1 }
                if let open = quote {
                    if open == .double && byte == backslash { index += 1; continue }
                    if open == .double && byte == doubleQuote { quote = nil; previous = byte }
                    if open == .single && byte == singleQuote {
                        if index + 1 < line.count && line[index + 1] == singleQuote { index += 1 } else { quote = nil; previous = byte }
                    }
                    continue
                }
                let afterSpace = previous == space || previous == tab
                if byte == space || byte == tab {
                    previous = byte
                    continue
                }
                if byte == hash && afterSpace { return nil }
                let tokenStart = afterSpace || (!flows.isEmpty && [openBracket, openBrace, comma, colon].contains(previous))
                let indicatorBefore = keyCanStart || [colon, dash, question, openBracket, openBrace, comma].contains(lastIndicator(line, before: index))
                if keyCanStart && byte == dash && next(line, index).map(isBlank) ?? true {
                    previous = space
                    entryColumn = index + 2
                    index += 1
                    continue
                }
                if (keyCanStart || !flows.isEmpty && tokenStart && [openBracket, openBrace, comma].contains(lastIndicator(line, before: index)))
                    && (byte == question && next(line, index).map(isBlank) ?? true || byte == star && aliasIsKey(line, at: index)) {
                    return index + 1
                }
                if tokenStart && indicatorBefore && (byte == doubleQuote || byte == singleQuote) {
                    quote = byte == doubleQuote ? .double : .single
                } else if tokenStart && (byte == openBracket || byte == openBrace) {
                    flows.append(keyCanStart || !flows.isEmpty)
                } else if !flows.isEmpty && (byte == closeBracket || byte == closeBrace) {
                    let couldBeKey = flows.removeLast()
                    if couldBeKey && colonFollows(line, after: index) { return index + 1 }
                } else if flows.isEmpty && tokenStart && (byte == pipe || byte == greater) && isBlockScalarHeader(line, from: index) {
                    blockScalarParent = lastIndicator(line, before: index) == dash ? entryColumn - 2 : entryColumn
                    return nil
                }
                keyCanStart = false
                previous = byte
            }
            return nil
        }

        private func next(_ line: [UInt8], _ index: Int) -> UInt8? {
            index + 1 < line.count ? line[index + 1] : nil
        }

        private func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

        /// The last non-blank byte before `index`, or a space at the start of the line.
        private func lastIndicator(_ line: [UInt8], before index: Int) -> UInt8 {
            var position = index - 1
            while position >= 0 && isBlank(line[position]) { position -= 1 }
            return position >= 0 ? line[position] : space
        }

        /// `*name` followed by blanks and a `:` that ends there (a key), rather than a value. Names are what libyaml
        /// takes for them: letters, digits, `-` and `_` (so `*a: x` is the alias `a` as a key).
        private func aliasIsKey(_ line: [UInt8], at index: Int) -> Bool {
            var position = index + 1
            func isNameByte(_ byte: UInt8) -> Bool {
                (digit0...digit9).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == dash || byte == UInt8(ascii: "_")
            }
            while position < line.count && isNameByte(line[position]) { position += 1 }
            guard position > index + 1 else { return false }
            return colonFollows(line, after: position - 1)
        }

        private func colonFollows(_ line: [UInt8], after index: Int) -> Bool {
            var position = index + 1
            while position < line.count && isBlank(line[position]) { position += 1 }
            guard position < line.count, line[position] == colon else { return false }
            return position + 1 == line.count || isBlank(line[position + 1]) || !flows.isEmpty
        }

        /// `|`, `>`, with optional chomping and indentation indicators, then nothing or a comment.
        private func isBlockScalarHeader(_ line: [UInt8], from index: Int) -> Bool {
            var position = index + 1
            while position < line.count, line[position] == plus || line[position] == dash || (digit0...digit9).contains(line[position]) {
                position += 1
            }
            while position < line.count && isBlank(line[position]) { position += 1 }
            return position == line.count || line[position] == hash
        }
    }

    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#")
    private static let dash = UInt8(ascii: "-"), question = UInt8(ascii: "?"), star = UInt8(ascii: "*"), colon = UInt8(ascii: ":")
    private static let comma = UInt8(ascii: ","), pipe = UInt8(ascii: "|"), greater = UInt8(ascii: ">"), plus = UInt8(ascii: "+")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    private static let singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let digit0 = UInt8(ascii: "0"), digit9 = UInt8(ascii: "9")
}
