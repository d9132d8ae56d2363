/// A line diff in the unified format people know from `diff -u` and `kubectl diff`.
public enum LineDiff {
    /// Hunks of `-` and `+` lines with `context` unchanged lines around them, each under an `@@ -a,b +c,d @@` line;
    /// empty when the texts are equal. Lines are compared whole; texts are split at `\n`.
    public static func unified(from old: String, to new: String, context: Int = 3) -> String {
        let before = lines(old)
        let after = lines(new)
        let edits = script(before, after)
        guard edits.contains(where: { $0.kind != .same }) else { return "" }

        // Group the edits into hunks: changes closer than 2 × context lines share one.
        var out = ""
        var index = 0
        while index < edits.count {
            guard let firstChange = edits[index...].firstIndex(where: { $0.kind != .same }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            var lastChange = firstChange
            while end < edits.count {
                if edits[end].kind != .same {
                    lastChange = end
                } else if end - lastChange > 2 * context {
                    break
                }
                end += 1
            }
            let stop = min(edits.count, lastChange + context + 1)
            let hunk = edits[start..<stop]
            let oldCount = hunk.filter { $0.kind != .added }.count
            let newCount = hunk.filter { $0.kind != .removed }.count
            let oldStart = (hunk.first?.oldLine ?? 0) + (oldCount == 0 ? 0 : 1)
            let newStart = (hunk.first?.newLine ?? 0) + (newCount == 0 ? 0 : 1)
            out += "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@\n"
            for edit in hunk {
                switch edit.kind {
                case .same: out += " " + edit.text + "\n"
                case .removed: out += "-" + edit.text + "\n"
                case .added: out += "+" + edit.text + "\n"
                }
            }
            index = stop
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(start),\(count)"
    }

    private static func lines(_ text: String) -> [Substring] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    struct Edit: Equatable {
        enum Kind { case same, removed, added }
        var kind: Kind
        var text: Substring
        /// Lines of each side before this edit, which places a hunk that starts here.
        var oldLine: Int
        var newLine: Int
    }

    /// The shortest edit script by longest common subsequence; quadratic, which suits documents of a few
    /// hundred lines. Removals come before additions where both are possible, as `diff` prints them.
    static func script(_ old: [Substring], _ new: [Substring]) -> [Edit] {
        let n = old.count, m = new.count
        // lengths[i][j]: the longest common subsequence of old[i...] and new[j...].
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i][j] = old[i] == new[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var edits: [Edit] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && old[i] == new[j] {
                edits.append(Edit(kind: .same, text: old[i], oldLine: i, newLine: j))
                i += 1
                j += 1
            } else if i < n && (j == m || lengths[i + 1][j] >= lengths[i][j + 1]) {
                edits.append(Edit(kind: .removed, text: old[i], oldLine: i, newLine: j))
                i += 1
            } else {
                edits.append(Edit(kind: .added, text: new[j], oldLine: i, newLine: j))
                j += 1
            }
        }
        return edits
    }
}
