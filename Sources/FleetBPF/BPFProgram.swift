internal import CLibBPF

/// A program loaded into the kernel as part of a `BPFObject`; it can be attached and pinned.
public final class BPFProgram: @unchecked Sendable {
    // @unchecked: `pointer` belongs to the loaded object, which libbpf no longer mutates; the calls made
    // on it (fd, name, attach) only read it.
    let pointer: OpaquePointer
    let object: ObjectHandle
    /// The C function name.
    public let name: String
    /// The ELF section, which tells libbpf how to auto-attach it.
    public let section: String
    public let type: BPFProgramType

    init(pointer: OpaquePointer, object: ObjectHandle) {
        self.pointer = pointer
        self.object = object
        name = String(cString: bpf_program__name(pointer))
        section = String(cString: bpf_program__section_name(pointer))
        type = BPFProgramType(rawValue: bpf_program__type(pointer).rawValue)
    }

    var fd: Int32 { bpf_program__fd(pointer) }

    /// The kernel's id for this program (`bpftool prog show id N`).
    public var id: BPFProgramID {
        get throws(BPFError) {
            BPFProgramID(rawValue: try KernelInfo.program(fd: fd, subject: name).id)
        }
    }

    /// Pins the program at a path on a bpf filesystem; the kernel keeps it loaded while the pin exists.
    /// - Throws: `BPFError` `.pin`.
    public func pin(at path: String) throws(BPFError) {
        try BPFPinPath.createParent(of: path)
        try BPFError.check(bpf_obj_pin(fd, path), .pin, "bpf_obj_pin", path)
    }

    /// False for sections such as a bare `SEC("kprobe")` that name no target to auto-attach to.
    var hasAutoAttachTarget: Bool {
        let bare: Set<String> = ["kprobe", "kretprobe", "uprobe", "uretprobe", "uprobe.s", "uretprobe.s",
                                 "raw_tracepoint", "raw_tp", "tracepoint", "tp", "xdp", "tc", "classifier",
                                 "action", "usdt", "ksyscall", "kretsyscall"]
        return !bare.contains(section) && !section.hasPrefix("xdp") && !section.hasPrefix("tc")
    }
}

/// A program adopted from a pin after a restart: it can replace the program of a link, and be read.
public final class BPFPinnedProgram: Sendable {
    let descriptor: FileDescriptor
    /// The pin's file name.
    public let name: String
    public let type: BPFProgramType
    public let id: BPFProgramID

    init(path: String, name: String) throws(BPFError) {
        let fd = try BPFError.check(bpf_obj_get(path), .adopt, "bpf_obj_get", path)
        descriptor = FileDescriptor(fd)
        let info = try KernelInfo.program(fd: fd, subject: path)
        self.name = name
        type = BPFProgramType(rawValue: info.type)
        id = BPFProgramID(rawValue: info.id)
    }

    var fd: Int32 { descriptor.rawValue }
}
