import FleetSystem
import Glibc
internal import CLibBPF

/// An eBPF object opened from an ELF image but not yet loaded into the kernel.
///
/// This is the only stage at which `.rodata` values, attach targets and autoload flags can change.
/// `load()` consumes it, so nothing can be configured after loading or attached before it.
public struct BPFObjectFile: ~Copyable {
    let handle: ObjectHandle
    /// The object name given to `open`; libbpf prefixes internal map names with it.
    public let name: String

    private init(handle: ObjectHandle, name: String) {
        self.handle = handle
        self.name = name
    }

    /// Parses an ELF object from memory (`bpf_object__open_mem`). The bytes are not kept.
    /// - Parameters:
    ///   - bytes: the `clang -target bpf` output.
    ///   - name: the object's name; keep it short (libbpf uses its first 8 characters in map names).
    /// - Throws: `BPFError` with code `.open` when the image is not a usable eBPF object.
    public static func open(bytes: [UInt8], name: String) throws(BPFError) -> BPFObjectFile {
        let handle = bytes.withUnsafeBytes { openHandle($0, name: name) }
        return BPFObjectFile(handle: try handle.get(), name: name)
    }

    /// Parses an ELF object in memory that the caller owns, such as a mapped file (`bpf_object__open_mem`).
    /// libbpf reads only what it parses and keeps nothing of the buffer once this returns.
    ///
    /// The object's BTF is checked first (`BTFCheck`), as libbpf 1.1 would follow a corrupt reference and crash.
    /// What libbpf prints meanwhile is collected: when the open fails it is the error's `libbpfWarnings`,
    /// otherwise it is printed as libbpf prints it by default.
    /// - Parameters:
    ///   - buffer: the `clang -target bpf` output; it need stay valid only during the call.
    ///   - name: the object's name, which libbpf's messages quote; keep it short (libbpf uses its first 8
    ///     characters in map names).
    /// - Throws: `BPFError` with code `.open` when the image is not a usable eBPF object.
    public static func open(buffer: UnsafeRawBufferPointer, name: String) throws(BPFError) -> BPFObjectFile {
        BPFObjectFile(handle: try openHandle(buffer, name: name).get(), name: name)
    }

    private static func openHandle(_ buffer: UnsafeRawBufferPointer, name: String) -> Result<ObjectHandle, BPFError> {
        // What libbpf says while the BTF is checked, it says again when it opens the object.
        if let problem = LibbpfLog.collect({ BTFCheck.problem(inObject: buffer) }).result {
            return .failure(BPFError(code: .open, operation: "check BTF", subject: name, reason: problem))
        }
        let (opened, messages) = LibbpfLog.collect { () -> (pointer: OpaquePointer?, errno: Int32) in
            name.withCString { cName in
                withZeroedOptions(bpf_object_open_opts.self) { options in
                    options.pointee.sz = MemoryLayout<bpf_object_open_opts>.size
                    options.pointee.object_name = cName
                    let pointer = bpf_object__open_mem(buffer.baseAddress, buffer.count, options)
                    return (pointer, pointer == nil ? Glibc.errno : 0)
                }
            }
        }
        guard let pointer = opened.pointer else {
            return .failure(BPFError(code: .open, operation: "bpf_object__open_mem", subject: name,
                                     errno: opened.errno == 0 ? EINVAL : opened.errno,
                                     libbpfWarnings: messages.filter(\.isWarning).map(\.reason)))
        }
        LibbpfLog.pass(messages)
        return .success(ObjectHandle(pointer))
    }

    /// Reads a file and opens it like `open(bytes:name:)`.
    /// - Throws: `BPFError` with code `.open` when the file cannot be read or parsed.
    public static func open(path: String, name: String) throws(BPFError) -> BPFObjectFile {
        let bytes: [UInt8]
        do { bytes = try FileSystem.read(path) } catch {
            throw BPFError(code: .open, operation: "read", subject: path, errno: error.errno)
        }
        return try open(bytes: bytes, name: name)
    }

    /// The programs in the object, in ELF order.
    public var programs: [BPFProgramInfo] {
        handle.programPointers.map(BPFProgramInfo.init(pointer:))
    }

    /// The maps the object will create, including libbpf's internal `.rodata`/`.bss`/`.data` maps.
    public var maps: [BPFMapInfo] {
        handle.mapPointers.map(BPFMapInfo.init(pointer:))
    }

    /// Chooses whether a program is loaded; programs not loaded cannot be attached later.
    /// - Throws: `BPFError` `.notFound` for an unknown program.
    public mutating func setAutoload(program: String, _ enabled: Bool) throws(BPFError) {
        let pointer = try handle.program(named: program)
        try BPFError.check(bpf_program__set_autoload(pointer, enabled), .invalidArgument, "bpf_program__set_autoload", program)
    }

    /// Sets the kernel function an `fentry`/`fexit`/`tp_btf` program attaches to, overriding its section.
    /// - Throws: `BPFError` `.notFound` for an unknown program, `.invalidArgument` when libbpf refuses.
    public mutating func setAttachTarget(program: String, function: String) throws(BPFError) {
        let pointer = try handle.program(named: program)
        try BPFError.check(bpf_program__set_attach_target(pointer, 0, function), .invalidArgument,
                           "bpf_program__set_attach_target", "\(program) -> \(function)")
    }

    /// Loads every program and creates every map (`bpf_object__load`), consuming the opened object.
    ///
    /// Each program gets its own verifier log buffer; when the kernel rejects one, its log is in the error.
    /// - Throws: `BPFError` `.load`, with `verifierLog` set when the verifier rejected a program.
    public consuming func load() throws(BPFError) -> BPFObject {
        let handle = self.handle
        let logSize = 1 << 20
        let programs = handle.programPointers
        let buffers = programs.map { _ in UnsafeMutablePointer<CChar>.allocate(capacity: logSize) }
        defer {
            for program in programs { bpf_program__set_log_buf(program, nil, 0) }
            for buffer in buffers { buffer.deallocate() }
        }
        for (program, buffer) in zip(programs, buffers) {
            buffer[0] = 0
            bpf_program__set_log_buf(program, buffer, logSize)
        }
        let result = bpf_object__load(handle.pointer)
        guard result == 0 else {
            let failed = zip(programs, buffers).first { program, buffer in
                buffer[0] != 0 && bpf_program__autoload(program)
            }
            let subject = failed.map { "\(name)/\(String(cString: bpf_program__name($0.0)))" } ?? name
            let log = failed.map { String(cString: $0.1) }
            throw BPFError(code: .load, operation: "bpf_object__load", subject: subject,
                           errno: -result, verifierLog: log)
        }
        return try BPFObject(handle: handle, name: name)
    }
}

extension ObjectHandle {
    var programPointers: [OpaquePointer] {
        var result: [OpaquePointer] = []
        var current = bpf_object__next_program(pointer, nil)
        while let program = current {
            result.append(program)
            current = bpf_object__next_program(pointer, program)
        }
        return result
    }

    var mapPointers: [OpaquePointer] {
        var result: [OpaquePointer] = []
        var current = bpf_object__next_map(pointer, nil)
        while let map = current {
            result.append(map)
            current = bpf_object__next_map(pointer, map)
        }
        return result
    }

    func program(named name: String) throws(BPFError) -> OpaquePointer {
        guard let program = bpf_object__find_program_by_name(pointer, name) else {
            throw BPFError(code: .notFound, operation: "find program", subject: name, reason: "no such program")
        }
        return program
    }

    func map(named name: String) throws(BPFError) -> OpaquePointer {
        guard let map = bpf_object__find_map_by_name(pointer, name) else {
            throw BPFError(code: .notFound, operation: "find map", subject: name, reason: "no such map")
        }
        return map
    }
}
