import FleetSystem
import Glibc
import Synchronization
internal import CLibBPF

/// An attachment of a program. Releasing the last reference detaches it unless it is pinned.
public final class BPFLink: Sendable {
    // @unchecked: the libbpf link pointer is only used under `state`'s lock, or in deinit.
    enum Storage: @unchecked Sendable {
        /// A link made by libbpf's attach functions (perf-event based for tracepoints and probes).
        case libbpf(OpaquePointer)
        /// A kernel link fd: XDP links and links adopted from pins.
        case fd(FileDescriptor)
        case tc(TCAttachment)
    }

    private struct State: ~Copyable {
        var storage: Storage?
        var pinPath: String?
    }

    private let state: Mutex<State>
    /// Where it was attached; nil for links adopted from a pin.
    public let target: BPFAttachTarget?
    /// The program it was attached with (the pin name for adopted links).
    public let programName: String

    init(storage: Storage, target: BPFAttachTarget?, programName: String, pinPath: String? = nil) {
        state = Mutex(State(storage: storage, pinPath: pinPath))
        self.target = target
        self.programName = programName
    }

    /// Opens a pinned link (`bpf_obj_get`); it stays attached when this object is released.
    init(adoptingPin path: String, name: String) throws(BPFError) {
        let fd = try BPFError.check(bpf_obj_get(path), .adopt, "bpf_obj_get", path)
        state = Mutex(State(storage: .fd(FileDescriptor(fd)), pinPath: path))
        target = nil
        programName = name
    }

    /// Takes over a TC filter that an earlier process attached with a fixed handle, after checking that it
    /// still runs `program`. TC filters cannot be pinned; the kernel keeps them attached by themselves.
    /// - Throws: `BPFError` `.adopt` when there is no such filter or it runs another program, `.notFound` when
    ///   the interface is gone.
    public init(adoptingTC target: BPFAttachTarget, program: BPFProgramID, name: String) throws(BPFError) {
        guard case .tc(let interface, let direction, let priority, let handle) = target, handle != 0 else {
            throw BPFError(code: .invalidArgument, operation: "adopt", subject: name, reason: "only a TC target with a fixed handle can be adopted")
        }
        let subject = "\(name) (\(target))"
        let ifindex = try BPFProgram.interfaceIndex(interface, subject)
        let attached = try TCAttachment.attachedProgram(interface: ifindex, direction: direction, handle: handle,
                                                        priority: priority, subject: subject)
        guard let attached else {
            throw BPFError(code: .adopt, operation: "bpf_tc_query", subject: subject, reason: "no filter with handle \(handle)")
        }
        guard attached == program.rawValue else {
            throw BPFError(code: .adopt, operation: "bpf_tc_query", subject: subject,
                           reason: "the filter runs program \(attached), not \(program.rawValue)")
        }
        let attachment = TCAttachment(ifindex: ifindex, direction: direction, handle: handle, priority: priority, subject: subject)
        state = Mutex(State(storage: .tc(attachment), pinPath: nil))
        self.target = target
        programName = name
    }

    deinit {
        state.withLock { state in
            guard let storage = state.storage else { return }
            let pinned = state.pinPath.map { FileSystem.exists($0) } ?? false
            Self.release(storage, keepAttached: pinned)
        }
    }

    /// The pin path, when pinned through this object or adopted from a pin.
    public var pinPath: String? {
        state.withLock { $0.pinPath }
    }

    /// The kernel's link id; nil for TC attachments, which are not links.
    public var id: BPFLinkID? {
        get throws(BPFError) {
            guard let fd = try linkFD(operation: "link id") else { return nil }
            return BPFLinkID(rawValue: try KernelInfo.link(fd: fd, subject: programName).id)
        }
    }

    /// Pins the link so that the attachment outlives this process.
    /// - Throws: `BPFError` `.pin`, or `.unsupported` for TC attachments (not links in libbpf 1.1).
    public func pin(at path: String) throws(BPFError) {
        try BPFPinPath.createParent(of: path)
        try state.withLock { (state: inout State) throws(BPFError) in
            switch state.storage {
            case .libbpf(let link)?:
                try BPFError.check(bpf_link__pin(link, path), .pin, "bpf_link__pin", path)
            case .fd(let descriptor)?:
                try BPFError.check(bpf_obj_pin(descriptor.rawValue, path), .pin, "bpf_obj_pin", path)
            case .tc?:
                throw BPFError(code: .unsupported, operation: "pin", subject: path, reason: "TC attachments cannot be pinned")
            case nil:
                throw BPFError(code: .pin, operation: "pin", subject: path, reason: "link is detached")
            }
            state.pinPath = path
        }
    }

    /// Removes the pin; the link then detaches when this object is released.
    /// - Throws: `BPFError` `.unpin`.
    public func unpin() throws(BPFError) {
        try state.withLock { (state: inout State) throws(BPFError) in
            guard let path = state.pinPath else { return }
            if unlink(path) != 0 && errno != ENOENT {
                throw BPFError(code: .unpin, operation: "unlink", subject: path, errno: errno)
            }
            state.pinPath = nil
        }
    }

    /// Atomically replaces the attached program (`bpf_link_update`); events are never missed or doubled.
    /// - Throws: `BPFError` `.update`, e.g. `EOPNOTSUPP` for link kinds the kernel cannot update
    ///   (tracepoints, kprobes, raw tracepoints), `EINVAL` for a program of another type.
    public func update(program: BPFProgram) throws(BPFError) {
        try update(programFD: program.fd, subject: program.name)
    }

    /// Atomically replaces the attached program with one adopted from a pin.
    /// - Throws: `BPFError` `.update`.
    public func update(program: BPFPinnedProgram) throws(BPFError) {
        try update(programFD: program.fd, subject: program.name)
    }

    /// Detaches now, even when pinned, and removes the pin.
    /// - Throws: `BPFError` `.detach`.
    public func detach() throws(BPFError) {
        try state.withLock { (state: inout State) throws(BPFError) in
            guard let storage = state.storage else { return }
            if let path = state.pinPath {
                unlink(path)
                state.pinPath = nil
            }
            state.storage = nil
            switch storage {
            case .libbpf(let link):
                try BPFError.check(bpf_link__destroy(link), .detach, "bpf_link__destroy", programName)
            case .fd(let descriptor):
                let result = bpf_link_detach(descriptor.rawValue)
                if result < 0 && result != -EOPNOTSUPP && result != -EINVAL {
                    try BPFError.check(result, .detach, "bpf_link_detach", programName)
                }
            case .tc(let attachment):
                try attachment.detach()
            }
        }
    }

    private func update(programFD: Int32, subject: String) throws(BPFError) {
        let tc: TCAttachment? = state.withLock { state in
            if case .tc(let attachment)? = state.storage { return attachment }
            return nil
        }
        if let tc {
            try tc.replace(programFD: programFD)
            return
        }
        guard let fd = try linkFD(operation: "update") else { return }
        try BPFError.check(bpf_link_update(fd, programFD, nil), .update, "bpf_link_update", "\(programName) -> \(subject)")
    }

    private func linkFD(operation: String) throws(BPFError) -> Int32? {
        try state.withLock { (state: inout State) throws(BPFError) -> Int32? in
            switch state.storage {
            case .libbpf(let link)?: return bpf_link__fd(link)
            case .fd(let descriptor)?: return descriptor.rawValue
            case .tc?: return nil
            case nil: throw BPFError(code: .invalidArgument, operation: operation, subject: programName, reason: "link is detached")
            }
        }
    }

    /// For a pinned perf-event link, libbpf's detach would disable the perf event under the pin, so the
    /// link is disconnected and only its fd closed (libbpf 1.1 keeps the perf event fd open until exit).
    private static func release(_ storage: Storage, keepAttached: Bool) {
        switch storage {
        case .libbpf(let link):
            if keepAttached {
                bpf_link__disconnect(link)
                close(bpf_link__fd(link))
            }
            bpf_link__destroy(link)
        case .fd:
            break
        case .tc(let attachment):
            if !keepAttached { try? attachment.detach() }
        }
    }
}
