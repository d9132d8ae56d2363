import Glibc
internal import CLibBPF

/// A consumer of one `BPF_MAP_TYPE_RINGBUF` map (`ring_buffer__new`).
///
/// Not Sendable: create, poll and release it on one thread, outside the Swift concurrency pool
/// (`poll` blocks). The handler runs synchronously on that thread during `poll`/`consume`.
public final class BPFRingBuffer {
    /// Carries the handler through libbpf's `void *ctx`.
    private final class Context {
        let handler: (BPFRingBufferRecord) -> Void
        init(handler: @escaping (BPFRingBufferRecord) -> Void) { self.handler = handler }
    }

    private let pointer: OpaquePointer
    private let context: Context
    private let map: BPFMap

    /// - Parameters:
    ///   - map: a ring buffer map; it is kept alive by this object.
    ///   - handler: called once per record, with a copy of its bytes.
    /// - Throws: `BPFError` `.invalidArgument` when the map is not a ring buffer, `.ringBuffer` otherwise.
    public init(map: BPFMap, handler: @escaping (BPFRingBufferRecord) -> Void) throws(BPFError) {
        guard map.type == .ringBuffer else {
            throw BPFError(code: .invalidArgument, operation: "ring_buffer__new", subject: map.name, reason: "map is \(map.type), not ringbuf")
        }
        let context = Context(handler: handler)
        let callback: ring_buffer_sample_fn = { rawContext, data, size in
            guard let rawContext, let data else { return 0 }
            let context = Unmanaged<Context>.fromOpaque(rawContext).takeUnretainedValue()
            context.handler(BPFRingBufferRecord(bytes: [UInt8](UnsafeRawBufferPointer(start: data, count: size))))
            return 0
        }
        let pointer = ring_buffer__new(map.fd, callback, Unmanaged.passUnretained(context).toOpaque(), nil)
        self.pointer = try BPFError.check(pointer, .ringBuffer, "ring_buffer__new", map.name)
        self.context = context
        self.map = map
    }

    deinit {
        ring_buffer__free(pointer)
    }

    /// Waits up to `timeout` for records and hands each to the handler.
    /// - Returns: the number of records consumed (0 on timeout or signal).
    /// - Throws: `BPFError` `.ringBuffer`.
    @discardableResult
    public func poll(timeout: Duration) throws(BPFError) -> Int {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let result = ring_buffer__poll(pointer, milliseconds)
        if result == -EINTR { return 0 }
        return Int(try BPFError.check(result, .ringBuffer, "ring_buffer__poll", map.name))
    }

    /// Hands every available record to the handler without waiting.
    /// - Returns: the number of records consumed.
    /// - Throws: `BPFError` `.ringBuffer`.
    @discardableResult
    public func consume() throws(BPFError) -> Int {
        Int(try BPFError.check(ring_buffer__consume(pointer), .ringBuffer, "ring_buffer__consume", map.name))
    }
}

/// One record from a ring buffer, copied out of the kernel's memory.
public struct BPFRingBufferRecord: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The integer at `offset` (host byte order), or nil when the record is too short.
    public func integer<Integer: FixedWidthInteger>(at offset: Int, as type: Integer.Type = Integer.self) -> Integer? {
        guard offset >= 0, offset + MemoryLayout<Integer>.size <= bytes.count else { return nil }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Integer.self) }
    }

    /// The NUL-terminated string in the `capacity`-byte field at `offset` (invalid UTF-8 is repaired).
    public func string(at offset: Int, capacity: Int) -> String? {
        guard offset >= 0, capacity >= 0, offset + capacity <= bytes.count else { return nil }
        let field = bytes[offset..<offset + capacity]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[..<end], as: UTF8.self)
    }
}
