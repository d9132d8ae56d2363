internal import CLibBPF

/// Owns one `struct bpf_object`; closing it frees programs and maps that nothing else holds.
final class ObjectHandle: @unchecked Sendable {
    // @unchecked: the pointer is only mutated before load, by the ~Copyable BPFObjectFile that owns it alone.
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        bpf_object__close(pointer)
    }
}
