/// A kernel-wide program id, as `bpftool prog show` prints it.
public struct BPFProgramID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A kernel-wide map id, as `bpftool map show` prints it.
public struct BPFMapID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}

/// A kernel-wide link id, as `bpftool link show` prints it.
public struct BPFLinkID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { String(rawValue) }
}
