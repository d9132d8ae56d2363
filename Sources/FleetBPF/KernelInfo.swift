internal import CLibBPF

/// `bpf_obj_get_info_by_fd` for programs, maps and links.
enum KernelInfo {
    static func program(fd: Int32, subject: String) throws(BPFError) -> bpf_prog_info {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(fd, &info, &length), .adopt, "bpf_obj_get_info_by_fd", subject)
        return info
    }

    static func map(fd: Int32, subject: String) throws(BPFError) -> bpf_map_info {
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(fd, &info, &length), .adopt, "bpf_obj_get_info_by_fd", subject)
        return info
    }

    static func link(fd: Int32, subject: String) throws(BPFError) -> bpf_link_info {
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(fd, &info, &length), .adopt, "bpf_obj_get_info_by_fd", subject)
        return info
    }
}
