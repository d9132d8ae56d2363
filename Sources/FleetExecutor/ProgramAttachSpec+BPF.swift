import FleetBPF
import FleetCore

extension ProgramAttachSpec.Target {
    /// The libbpf attach target; TC filters get their handle from `ProgramManager.target(_:deployment:program:)`.
    var bpf: BPFAttachTarget {
        switch self {
        case .auto: .auto
        case .tracepoint(let category, let name): .tracepoint(category: category, name: name)
        case .rawTracepoint(let name): .rawTracepoint(name: name)
        case .kprobe(let function, let offset): .kprobe(function: function, offset: offset)
        case .kretprobe(let function): .kretprobe(function: function)
        case .uprobe(let binary, let symbol, let offset, let pid): .uprobe(binary: binary, symbol: symbol, offset: offset, pid: pid)
        case .uretprobe(let binary, let symbol, let offset, let pid): .uretprobe(binary: binary, symbol: symbol, offset: offset, pid: pid)
        case .fentry: .fentry
        case .fexit: .fexit
        case .xdp(let interface, let mode): .xdp(interface: interface, mode: mode.bpf)
        case .tc(let interface, let direction, let priority): .tc(interface: interface, direction: direction.bpf, priority: priority)
        }
    }
}

extension ProgramAttachSpec.Target.XDPMode {
    var bpf: BPFAttachTarget.XDPMode {
        switch self {
        case .auto: .auto
        case .skb: .skb
        case .native: .native
        }
    }
}

extension ProgramAttachSpec.Target.TCDirection {
    var bpf: BPFAttachTarget.TCDirection {
        switch self {
        case .ingress: .ingress
        case .egress: .egress
        }
    }
}

extension RodataValue {
    var bpf: BPFRodataValue {
        switch self {
        case .bool(let flag): .bool(flag)
        case .int(let value): .int(value)
        case .bytes(let bytes): .bytes(bytes)
        }
    }
}
