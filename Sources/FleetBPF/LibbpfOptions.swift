/// Runs `body` with a zero-filled libbpf options struct. libbpf rejects options whose bytes past the
/// last known field are non-zero, and Swift does not promise zeroed padding in a `T()` value, so the
/// struct lives in explicitly zeroed memory and fields are set through the pointer.
func withZeroedOptions<Options, Result, Failure: Error>(
    _ type: Options.Type, _ body: (UnsafeMutablePointer<Options>) throws(Failure) -> Result
) throws(Failure) -> Result {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<Options>.stride, alignment: MemoryLayout<Options>.alignment)
    defer { raw.deallocate() }
    raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Options>.stride)
    return try body(raw.bindMemory(to: Options.self, capacity: 1))
}
