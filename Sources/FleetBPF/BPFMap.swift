import Glibc
internal import CLibBPF

/// A kernel map of a loaded or adopted object: raw lookups, iteration and updates by key bytes.
///
/// Per-CPU maps return one value per possible CPU, each `valueSize` bytes (the kernel pads them to
/// 8-byte strides; the padding is removed here).
public final class BPFMap: Sendable {
    private let descriptor: FileDescriptor?
    private let borrowedFD: Int32
    /// Keeps the object that owns a borrowed fd alive.
    private let owner: ObjectHandle?
    public let name: String
    public let type: BPFMapType
    public let keySize: Int
    public let valueSize: Int
    public let maxEntries: Int
    public let id: BPFMapID

    /// A map fd owned by a loaded object.
    init(borrowing fd: Int32, name: String, owner: ObjectHandle) throws(BPFError) {
        descriptor = nil
        borrowedFD = fd
        self.owner = owner
        self.name = name
        let info = try KernelInfo.map(fd: fd, subject: name)
        type = BPFMapType(rawValue: info.type)
        keySize = Int(info.key_size)
        valueSize = Int(info.value_size)
        maxEntries = Int(info.max_entries)
        id = BPFMapID(rawValue: info.id)
    }

    /// Opens a pinned map (`bpf_obj_get`) and owns the new fd.
    init(adoptingPin path: String, name: String) throws(BPFError) {
        let fd = try BPFError.check(bpf_obj_get(path), .adopt, "bpf_obj_get", path)
        descriptor = FileDescriptor(fd)
        borrowedFD = fd
        owner = nil
        self.name = name
        let info = try KernelInfo.map(fd: fd, subject: path)
        type = BPFMapType(rawValue: info.type)
        keySize = Int(info.key_size)
        valueSize = Int(info.value_size)
        maxEntries = Int(info.max_entries)
        id = BPFMapID(rawValue: info.id)
    }

    var fd: Int32 { descriptor?.rawValue ?? borrowedFD }

    /// Number of values a lookup returns: the possible CPUs for per-CPU maps, else 1.
    public var valuesPerKey: Int {
        type.isPerCPU ? Int(max(libbpf_num_possible_cpus(), 1)) : 1
    }

    private var valueStride: Int {
        type.isPerCPU ? (valueSize + 7) / 8 * 8 : valueSize
    }

    /// The value for `key`, or nil when absent. For per-CPU maps, the values of all CPUs.
    /// - Throws: `BPFError` `.invalidArgument` for a key of the wrong size, `.map` for kernel errors.
    public func lookup(key: [UInt8]) throws(BPFError) -> [[UInt8]]? {
        try checkKey(key)
        let stride = valueStride
        var buffer = [UInt8](repeating: 0, count: stride * valuesPerKey)
        let result = key.withUnsafeBytes { keyBytes in
            buffer.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, keyBytes.baseAddress, $0.baseAddress) }
        }
        if result == -ENOENT { return nil }
        try BPFError.check(result, .map, "bpf_map_lookup_elem", name)
        return (0..<valuesPerKey).map { Array(buffer[$0 * stride..<$0 * stride + valueSize]) }
    }

    /// Writes `value` for `key`; for per-CPU maps every CPU gets the same value.
    /// - Throws: `BPFError` `.invalidArgument` for wrong sizes, `.map` for kernel errors (e.g. `E2BIG` when full).
    public func update(key: [UInt8], value: [UInt8]) throws(BPFError) {
        try checkKey(key)
        guard value.count == valueSize else {
            throw BPFError(code: .invalidArgument, operation: "bpf_map_update_elem", subject: name,
                           reason: "value is \(value.count) bytes, map values are \(valueSize)")
        }
        let stride = valueStride
        var buffer = [UInt8](repeating: 0, count: stride * valuesPerKey)
        for cpu in 0..<valuesPerKey { buffer.replaceSubrange(cpu * stride..<cpu * stride + valueSize, with: value) }
        let result = key.withUnsafeBytes { keyBytes in
            buffer.withUnsafeBytes { bpf_map_update_elem(fd, keyBytes.baseAddress, $0.baseAddress, UInt64(BPF_ANY)) }
        }
        try BPFError.check(result, .map, "bpf_map_update_elem", name)
    }

    /// Removes `key`; returns false when it was absent.
    /// - Throws: `BPFError` `.map` (array maps cannot delete).
    @discardableResult
    public func delete(key: [UInt8]) throws(BPFError) -> Bool {
        try checkKey(key)
        let result = key.withUnsafeBytes { bpf_map_delete_elem(fd, $0.baseAddress) }
        if result == -ENOENT { return false }
        try BPFError.check(result, .map, "bpf_map_delete_elem", name)
        return true
    }

    /// Every key, in the kernel's iteration order (`bpf_map_get_next_key`). Entries added or removed
    /// meanwhile may or may not appear.
    /// - Throws: `BPFError` `.map`.
    public func keys() throws(BPFError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        var next = [UInt8](repeating: 0, count: keySize)
        var result = next.withUnsafeMutableBytes { bpf_map_get_next_key(fd, nil, $0.baseAddress) }
        while result == 0 && keys.count < maxEntries {
            keys.append(next)
            let current = next
            result = current.withUnsafeBytes { currentBytes in
                next.withUnsafeMutableBytes { bpf_map_get_next_key(fd, currentBytes.baseAddress, $0.baseAddress) }
            }
        }
        if result != -ENOENT && result != 0 { try BPFError.check(result, .map, "bpf_map_get_next_key", name) }
        return keys
    }

    /// Pins the map at a path on a bpf filesystem.
    /// - Throws: `BPFError` `.pin`.
    public func pin(at path: String) throws(BPFError) {
        try BPFPinPath.createParent(of: path)
        try BPFError.check(bpf_obj_pin(fd, path), .pin, "bpf_obj_pin", path)
    }

    /// True when the pin at `path` refers to this kernel map.
    func isPinned(at path: String) -> Bool {
        let pinned = bpf_obj_get(path)
        guard pinned >= 0 else { return false }
        defer { close(pinned) }
        return (try? KernelInfo.map(fd: pinned, subject: path).id) == id.rawValue
    }

    private func checkKey(_ key: [UInt8]) throws(BPFError) {
        guard key.count == keySize else {
            throw BPFError(code: .invalidArgument, operation: "map key", subject: name,
                           reason: "key is \(key.count) bytes, map keys are \(keySize)")
        }
    }
}
