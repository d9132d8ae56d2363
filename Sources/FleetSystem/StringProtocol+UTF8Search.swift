extension StringProtocol {
    /// The first range where `needle` occurs, comparing UTF-8 code units.
    ///
    /// For the ASCII text Fleet searches (schemes, log phrases) this is what `firstRange(of:)` finds; it
    /// lives here because the standard library's version comes with the regex engine (about 1 MB in a
    /// static executor).
    public func firstUTF8Range(of needle: some StringProtocol) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return startIndex..<startIndex }
        let bytes = utf8
        var start = bytes.startIndex
        while start != bytes.endIndex {
            var probe = start
            var matched = 0
            while matched < pattern.count, probe != bytes.endIndex, bytes[probe] == pattern[matched] {
                bytes.formIndex(after: &probe)
                matched += 1
            }
            if matched == pattern.count { return start..<probe }
            bytes.formIndex(after: &start)
        }
        return nil
    }

    /// Whether `needle` occurs, comparing UTF-8 code units (see `firstUTF8Range(of:)`).
    public func containsUTF8(_ needle: some StringProtocol) -> Bool {
        firstUTF8Range(of: needle) != nil
    }
}
