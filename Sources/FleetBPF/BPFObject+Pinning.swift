import Glibc

extension BPFObject {
    /// Pins every program and every non-internal map under `directory`, plus the given links.
    ///
    /// Pins already present are replaced, except map pins that already refer to the same kernel map
    /// (a map reused with `BPFObjectFile.reuseMap`), which stay in place throughout. Pinned links stay
    /// attached after this object and the links are released, until `BPFPinDirectory.remove()`.
    /// - Parameter links: links to pin, keyed by the name to pin them under (usually the program name).
    /// - Throws: `BPFError` `.pin`; pins made before the failure are left for `remove()`.
    public func pin(in directory: BPFPinDirectory, links: [String: BPFLink] = [:]) throws(BPFError) {
        for program in programs {
            let path = directory.programPath(program.name)
            unlink(path)
            try program.pin(at: path)
        }
        for map in maps where !map.name.contains(".") {
            let path = directory.mapPath(map.name)
            if map.isPinned(at: path) { continue }
            unlink(path)
            try map.pin(at: path)
        }
        for (name, link) in links.sorted(by: { $0.key < $1.key }) {
            guard BPFPinPath.isValidComponent(name) else {
                throw BPFError(code: .invalidArgument, operation: "pin link", subject: name, reason: "not a valid pin name")
            }
            let path = directory.linkPath(name)
            unlink(path)
            try link.pin(at: path)
        }
    }
}
