import Glibc
internal import CLibBPF

/// A classifier attached with `bpf_tc_attach` on a `clsact` hook. TC filters are not BPF links in
/// libbpf 1.1, so this records the hook, handle and priority needed to replace or remove it.
struct TCAttachment: Sendable {
    let ifindex: UInt32
    let direction: BPFAttachTarget.TCDirection
    let handle: UInt32
    let priority: UInt32
    let subject: String

    /// Creates the `clsact` qdisc when missing (an existing one is shared and never destroyed here).
    static func attach(programFD: Int32, interface ifindex: UInt32, direction: BPFAttachTarget.TCDirection,
                       priority: UInt32, handle: UInt32, subject: String) throws(BPFError) -> TCAttachment {
        try withHook(ifindex: ifindex, direction: direction) { (hook) throws(BPFError) in
            let created = bpf_tc_hook_create(hook)
            if created != -EEXIST { try BPFError.check(created, .attach, "bpf_tc_hook_create", subject) }
            return try withZeroedOptions(bpf_tc_opts.self) { (options) throws(BPFError) in
                options.pointee.sz = MemoryLayout<bpf_tc_opts>.size
                options.pointee.prog_fd = programFD
                options.pointee.priority = priority
                options.pointee.handle = handle
                try BPFError.check(bpf_tc_attach(hook, options), .attach, "bpf_tc_attach", subject)
                return TCAttachment(ifindex: ifindex, direction: direction, handle: options.pointee.handle,
                                    priority: options.pointee.priority, subject: subject)
            }
        }
    }

    /// Swaps the program in place (`BPF_TC_F_REPLACE` on the same handle and priority).
    func replace(programFD: Int32) throws(BPFError) {
        try Self.withHook(ifindex: ifindex, direction: direction) { (hook) throws(BPFError) in
            try withZeroedOptions(bpf_tc_opts.self) { (options) throws(BPFError) in
                options.pointee.sz = MemoryLayout<bpf_tc_opts>.size
                options.pointee.prog_fd = programFD
                options.pointee.handle = handle
                options.pointee.priority = priority
                options.pointee.flags = UInt32(BPF_TC_F_REPLACE.rawValue)
                try BPFError.check(bpf_tc_attach(hook, options), .update, "bpf_tc_attach", subject)
            }
        }
    }

    /// The id of the program attached as this filter; nil when there is no such filter.
    static func attachedProgram(interface ifindex: UInt32, direction: BPFAttachTarget.TCDirection, handle: UInt32,
                                priority: UInt32, subject: String) throws(BPFError) -> UInt32? {
        try withHook(ifindex: ifindex, direction: direction) { (hook) throws(BPFError) -> UInt32? in
            try withZeroedOptions(bpf_tc_opts.self) { (options) throws(BPFError) -> UInt32? in
                options.pointee.sz = MemoryLayout<bpf_tc_opts>.size
                options.pointee.handle = handle
                options.pointee.priority = priority
                let status = bpf_tc_query(hook, options)
                // No clsact qdisc, or no filter with this handle and priority.
                if status == -ENOENT || status == -EINVAL { return nil }
                try BPFError.check(status, .adopt, "bpf_tc_query", subject)
                return options.pointee.prog_id
            }
        }
    }

    func detach() throws(BPFError) {
        try Self.withHook(ifindex: ifindex, direction: direction) { (hook) throws(BPFError) in
            try withZeroedOptions(bpf_tc_opts.self) { (options) throws(BPFError) in
                options.pointee.sz = MemoryLayout<bpf_tc_opts>.size
                options.pointee.handle = handle
                options.pointee.priority = priority
                try BPFError.check(bpf_tc_detach(hook, options), .detach, "bpf_tc_detach", subject)
            }
        }
    }

    private static func withHook<Result>(
        ifindex: UInt32, direction: BPFAttachTarget.TCDirection,
        _ body: (UnsafeMutablePointer<bpf_tc_hook>) throws(BPFError) -> Result
    ) throws(BPFError) -> Result {
        try withZeroedOptions(bpf_tc_hook.self) { (hook) throws(BPFError) in
            hook.pointee.sz = MemoryLayout<bpf_tc_hook>.size
            hook.pointee.ifindex = Int32(ifindex)
            hook.pointee.attach_point = direction == .ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS
            return try body(hook)
        }
    }
}
