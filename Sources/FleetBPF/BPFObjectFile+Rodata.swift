internal import CLibBPF

extension BPFObjectFile {
    /// The variables of the object's `.rodata` section, read from its BTF.
    public var rodataVariables: [BPFRodataVariable] {
        handle.rodataVariables
    }

    /// Overrides a `.rodata` variable's initial value; the program sees it as a constant after load.
    /// - Parameters:
    ///   - name: the C variable name, e.g. `target_pid`.
    ///   - value: an integer or boolean for integer variables, bytes for anything else.
    /// - Throws: `BPFError` `.notFound` for an unknown variable, `.rodata` when the value does not fit.
    public mutating func setRodata(_ name: String, to value: BPFRodataValue) throws(BPFError) {
        guard let variable = rodataVariables.first(where: { $0.name == name }) else {
            throw BPFError(code: .notFound, operation: "set .rodata", subject: name, reason: "no such .rodata variable")
        }
        let bytes = try value.encoded(for: variable).get()
        let map = try handle.rodataMap(subject: name)
        var size = 0
        let current = try BPFError.check(bpf_map__initial_value(map, &size), .rodata, "bpf_map__initial_value", name)
        guard variable.offset + variable.size <= size else {
            throw BPFError(code: .rodata, operation: "set .rodata", subject: name, reason: "variable lies outside the section")
        }
        var image = [UInt8](UnsafeRawBufferPointer(start: current, count: size))
        image.replaceSubrange(variable.offset..<variable.offset + variable.size, with: bytes)
        let result = image.withUnsafeBytes { bpf_map__set_initial_value(map, $0.baseAddress, $0.count) }
        try BPFError.check(result, .rodata, "bpf_map__set_initial_value", name)
    }
}

extension ObjectHandle {
    /// libbpf names the internal map `<object prefix>.rodata`.
    func rodataMap(subject: String) throws(BPFError) -> OpaquePointer {
        guard let map = mapPointers.first(where: {
            bpf_map__is_internal($0) && String(cString: bpf_map__name($0)).hasSuffix(".rodata")
        }) else {
            throw BPFError(code: .notFound, operation: "set .rodata", subject: subject, reason: "object has no .rodata section")
        }
        return map
    }

    var rodataVariables: [BPFRodataVariable] {
        guard let btf = bpf_object__btf(pointer) else { return [] }
        let sectionID = btf__find_by_name_kind(btf, ".rodata", 15) // BTF_KIND_DATASEC: the macro and the uapi enum collide in Swift
        guard sectionID > 0, let section = btf__type_by_id(btf, UInt32(sectionID)) else { return [] }
        guard let entries = btf_var_secinfos(section) else { return [] }
        return (0..<Int(btf_vlen(section))).compactMap { index in
            let entry = entries[index]
            guard let variable = btf__type_by_id(btf, entry.type), btf_is_var(variable),
                  let name = btf__name_by_offset(btf, variable.pointee.name_off) else { return nil }
            return BPFRodataVariable(name: String(cString: name), offset: Int(entry.offset), size: Int(entry.size),
                                     kind: Self.kind(of: variable.pointee.type, in: btf))
        }
    }

    private static func kind(of typeID: UInt32, in btf: OpaquePointer) -> BPFRodataVariable.Kind {
        let resolved = btf__resolve_type(btf, typeID)
        guard resolved > 0, let type = btf__type_by_id(btf, UInt32(resolved)) else { return .bytes }
        if btf_is_int(type) {
            let encoding = Int32(btf_int_encoding(type))
            if encoding & Int32(BTF_INT_BOOL) != 0 { return .bool }
            return encoding & Int32(BTF_INT_SIGNED) != 0 ? .signedInteger : .unsignedInteger
        }
        if btf_is_enum(type) || btf_is_enum64(type) {
            return btf_kflag(type) ? .signedInteger : .unsignedInteger
        }
        return .bytes
    }
}
