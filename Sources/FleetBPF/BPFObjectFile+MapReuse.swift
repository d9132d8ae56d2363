internal import CLibBPF

extension BPFObjectFile {
    /// Makes the object use an existing kernel map instead of creating its map `name` at load
    /// (`bpf_map__reuse_fd`), so the programs loaded from it read and update what is already there,
    /// e.g. counters of the program this object replaces.
    ///
    /// libbpf keeps its own duplicate of the map's fd: `existing` (and the object or pin it came from)
    /// may be released afterwards. Only the map's layout is checked; its flags and BTF come from the
    /// existing map, and libbpf takes the existing map's kernel name, so reuse a map of the same name.
    /// - Parameters:
    ///   - name: the map as declared in C.
    ///   - existing: a map of a loaded object, or one adopted from a pin (`BPFPinnedObject.map(named:)`).
    /// - Throws: `BPFError` `.notFound` when the object has no such map; `.layoutMismatch` when the
    ///   existing map's type, key size, value size or maximum entries differ (nothing changes then);
    ///   `.map` when libbpf refuses.
    public mutating func reuseMap(named name: String, from existing: BPFMap) throws(BPFError) {
        let subject = "\(self.name)/\(name)"
        guard let pointer = handle.mapPointers.first(where: { String(cString: bpf_map__name($0)) == name }) else {
            throw BPFError(code: .notFound, operation: "bpf_map__reuse_fd", subject: subject, reason: "no such map")
        }
        let declared = BPFMapInfo(pointer: pointer).layout
        let differences = existing.layout.differences(from: declared)
        guard differences.isEmpty else {
            throw BPFError(code: .layoutMismatch, operation: "bpf_map__reuse_fd", subject: subject,
                           reason: "existing map '\(existing.name)' differs from the declared one: " + differences.joined(separator: ", "))
        }
        let result = withExtendedLifetime(existing) { bpf_map__reuse_fd(pointer, existing.fd) }
        try BPFError.check(result, .map, "bpf_map__reuse_fd", subject)
    }
}
