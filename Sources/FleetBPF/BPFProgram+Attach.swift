import Glibc
internal import CLibBPF

extension BPFProgram {
    /// Attaches the program and returns the link that keeps it attached.
    ///
    /// The link detaches when it is released, unless it is pinned. Tracepoint attachment mounts
    /// tracefs first when it is missing.
    /// - Parameter target: where to attach; `.auto` follows the section name.
    /// - Throws: `BPFError` `.attach` (with the kernel's errno), `.notFound` for an unknown interface,
    ///   `.invalidArgument` when the target does not suit the program type.
    public func attach(_ target: BPFAttachTarget = .auto) throws(BPFError) -> BPFLink {
        let subject = "\(name) -> \(target)"
        switch target {
        case .auto:
            if section.hasPrefix("tracepoint/") || section.hasPrefix("tp/") { try BPFFileSystem.ensureTraceFSMounted() }
            return try libbpfLink(bpf_program__attach(pointer), "bpf_program__attach", subject, target)
        case .tracepoint(let category, let event):
            try BPFFileSystem.ensureTraceFSMounted()
            return try libbpfLink(bpf_program__attach_tracepoint(pointer, category, event),
                                  "bpf_program__attach_tracepoint", subject, target)
        case .rawTracepoint(let event):
            return try libbpfLink(bpf_program__attach_raw_tracepoint(pointer, event),
                                  "bpf_program__attach_raw_tracepoint", subject, target)
        case .kprobe(let function, let offset):
            return try attachKprobe(function: function, offset: offset, retprobe: false, subject, target)
        case .kretprobe(let function):
            return try attachKprobe(function: function, offset: 0, retprobe: true, subject, target)
        case .uprobe(let binary, let symbol, let offset, let pid):
            return try attachUprobe(binary: binary, symbol: symbol, offset: offset, pid: pid, retprobe: false, subject, target)
        case .uretprobe(let binary, let symbol, let offset, let pid):
            return try attachUprobe(binary: binary, symbol: symbol, offset: offset, pid: pid, retprobe: true, subject, target)
        case .fentry, .fexit:
            let expected = target == .fentry ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT
            guard bpf_program__expected_attach_type(pointer) == expected else {
                throw BPFError(code: .invalidArgument, operation: "attach", subject: subject,
                               reason: "program section '\(section)' is not \(target)")
            }
            return try libbpfLink(bpf_program__attach_trace(pointer), "bpf_program__attach_trace", subject, target)
        case .xdp(let interface, let mode):
            return try attachXDP(interface: interface, mode: mode, subject, target)
        case .tc(let interface, let direction, let priority, let handle):
            let attachment = try TCAttachment.attach(programFD: fd, interface: try Self.interfaceIndex(interface, subject),
                                                     direction: direction, priority: priority, handle: handle, subject: subject)
            return BPFLink(storage: .tc(attachment), target: target, programName: name)
        }
    }

    private func libbpfLink(_ link: OpaquePointer?, _ operation: String, _ subject: String,
                            _ target: BPFAttachTarget) throws(BPFError) -> BPFLink {
        let link = try BPFError.check(link, .attach, operation, subject)
        return BPFLink(storage: .libbpf(link), target: target, programName: name)
    }

    private func attachKprobe(function: String, offset: UInt64, retprobe: Bool, _ subject: String,
                              _ target: BPFAttachTarget) throws(BPFError) -> BPFLink {
        let link = withZeroedOptions(bpf_kprobe_opts.self) { options in
            options.pointee.sz = MemoryLayout<bpf_kprobe_opts>.size
            options.pointee.offset = Int(offset)
            options.pointee.retprobe = retprobe
            return bpf_program__attach_kprobe_opts(pointer, function, options)
        }
        return try libbpfLink(link, "bpf_program__attach_kprobe_opts", subject, target)
    }

    private func attachUprobe(binary: String, symbol: String?, offset: UInt64, pid: Int32?, retprobe: Bool,
                              _ subject: String, _ target: BPFAttachTarget) throws(BPFError) -> BPFLink {
        let link: OpaquePointer? = withOptionalCString(symbol) { cSymbol in
            withZeroedOptions(bpf_uprobe_opts.self) { options in
                options.pointee.sz = MemoryLayout<bpf_uprobe_opts>.size
                options.pointee.retprobe = retprobe
                options.pointee.func_name = cSymbol
                return bpf_program__attach_uprobe_opts(pointer, pid ?? -1, binary, Int(offset), options)
            }
        }
        return try libbpfLink(link, "bpf_program__attach_uprobe_opts", subject, target)
    }

    private func attachXDP(interface: String, mode: BPFAttachTarget.XDPMode, _ subject: String,
                           _ target: BPFAttachTarget) throws(BPFError) -> BPFLink {
        let ifindex = try Self.interfaceIndex(interface, subject)
        // XDP_FLAGS_SKB_MODE and XDP_FLAGS_DRV_MODE from <linux/if_link.h>, which libbpf does not export.
        let flags: UInt32 = switch mode {
        case .auto: 0
        case .skb: 1 << 1
        case .native: 1 << 2
        }
        let result = withZeroedOptions(bpf_link_create_opts.self) { options in
            options.pointee.sz = MemoryLayout<bpf_link_create_opts>.size
            options.pointee.flags = flags
            return bpf_link_create(fd, Int32(ifindex), BPF_XDP, options)
        }
        let linkFD = try BPFError.check(result, .attach, "bpf_link_create", subject)
        return BPFLink(storage: .fd(FileDescriptor(linkFD)), target: target, programName: name)
    }

    static func interfaceIndex(_ interface: String, _ subject: String) throws(BPFError) -> UInt32 {
        let index = if_nametoindex(interface)
        guard index != 0 else {
            throw BPFError(code: .notFound, operation: "if_nametoindex", subject: interface, errno: errno)
        }
        return index
    }
}

func withOptionalCString<Result>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
