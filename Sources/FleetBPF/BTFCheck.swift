internal import CLibBPF

/// The checks libbpf 1.3 makes of an object's BTF when it parses it, made here first because the libbpf 1.1
/// that Debian ships follows type and name references without them: a map whose BTF names a type that
/// does not exist makes `bpf_object__open_mem` dereference NULL and crash the process. With these checks a
/// corrupt object is refused instead.
enum BTFCheck {
    /// Why the `.BTF` section of the ELF image in `buffer` cannot be parsed safely, or nil when it can.
    ///
    /// Nil too when there is no `.BTF`, or when libelf or libbpf cannot read it: `bpf_object__open_mem` then
    /// refuses the object (or goes on without BTF) by itself.
    static func problem(inObject buffer: UnsafeRawBufferPointer) -> String? {
        guard let image = buffer.baseAddress, !buffer.isEmpty else { return nil }
        _ = elf_version(UInt32(EV_CURRENT))
        // ELF_C_READ_MMAP semantics: libelf reads the image in place and never writes to it.
        guard let elf = elf_memory(UnsafeMutablePointer(mutating: image.assumingMemoryBound(to: CChar.self)), buffer.count) else {
            return nil
        }
        defer { elf_end(elf) }
        var namesIndex = 0
        guard elf_getshdrstrndx(elf, &namesIndex) == 0 else { return nil }
        var section = elf_nextscn(elf, nil)
        while let current = section {
            if let header = elf64_getshdr(current), let name = elf_strptr(elf, namesIndex, Int(header.pointee.sh_name)),
               String(cString: name) == ".BTF" {
                guard let data = elf_getdata(current, nil), let bytes = data.pointee.d_buf,
                      let size = UInt32(exactly: data.pointee.d_size), let btf = btf__new(bytes, size) else { return nil }
                defer { btf__free(btf) }
                return problem(in: btf)
            }
            section = elf_nextscn(elf, current)
        }
        return nil
    }

    /// Every type's references name types that exist, its names lie in the string section, its kind is
    /// known, and a function's type is a function prototype.
    private static func problem(in btf: OpaquePointer) -> String? {
        for id in 1..<btf__type_cnt(btf) {
            let type: UnsafePointer<btf_type> = btf__type_by_id(btf, id)
            let kind = Int(btf_kind(type))
            let count = Int(btf_vlen(type))
            var names = [type.pointee.name_off]
            var references: [UInt32] = []
            switch kind {
            case BTF_KIND_INT, BTF_KIND_FWD, BTF_KIND_FLOAT:
                break
            case BTF_KIND_PTR, BTF_KIND_TYPEDEF, BTF_KIND_VOLATILE, BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_VAR,
                 BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG, BTF_KIND_FUNC:
                references = [type.pointee.type]
            case BTF_KIND_ARRAY:
                let array = btf_array(type).pointee
                references = [array.type, array.index_type]
            case BTF_KIND_STRUCT, BTF_KIND_UNION:
                let members = UnsafeBufferPointer(start: btf_members(type), count: count)
                names += members.map(\.name_off)
                references = members.map(\.type)
            case BTF_KIND_ENUM:
                names += UnsafeBufferPointer(start: btf_enum(type), count: count).map(\.name_off)
            case BTF_KIND_ENUM64:
                names += UnsafeBufferPointer(start: btf_enum64(type), count: count).map(\.name_off)
            case BTF_KIND_FUNC_PROTO:
                let parameters = UnsafeBufferPointer(start: btf_params(type), count: count)
                names += parameters.map(\.name_off)
                references = [type.pointee.type] + parameters.map(\.type)
            case BTF_KIND_DATASEC:
                references = UnsafeBufferPointer(start: btf_var_secinfos(type), count: count).map(\.type)
            default:
                return "BTF type [\(id)] is of unknown kind \(kind)"
            }
            if let missing = references.first(where: { btf__type_by_id(btf, $0) == nil }) {
                return "BTF type [\(id)] refers to type [\(missing)], which does not exist"
            }
            if let offset = names.first(where: { btf__str_by_offset(btf, $0) == nil }) {
                return "BTF type [\(id)] has a name at offset \(offset), outside the string section"
            }
            if kind == BTF_KIND_FUNC, !btf_is_func_proto(btf__type_by_id(btf, type.pointee.type)) {
                return "BTF function [\(id)] has type [\(type.pointee.type)], which is not a function prototype"
            }
        }
        return nil
    }
}
