/// A geometry or parameter that a kernel cannot run with.
///
/// The description names the offending value and never contains buffer contents.
public struct KernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem was found.
    public enum Code: String, Hashable, Sendable {
        /// A size, stride, dilation or pad is negative or zero where it must be positive.
        case invalidDimension
        /// The spatial rank is not supported (only 1-D and 2-D) or the lists disagree in length.
        case unsupportedRank
        /// Channel counts are not divisible by the group count.
        case invalidGroup
        /// The kernel window does not fit into the padded input.
        case emptyOutput
    }

    /// What kind of problem was found.
    public let code: Code
    /// Which value was wrong, for example `"strides[1] = 0"`.
    public let context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String { "\(code.rawValue): \(context)" }
}
