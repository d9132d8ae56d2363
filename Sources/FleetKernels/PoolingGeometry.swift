/// The shape of an NCHW pooling: planes, spatial sizes, window, strides, dilations, pads, ceil mode.
///
/// Built once when a model is planned. Input is `[batch, channels, spatial...]`, output is
/// `[batch, channels, output...]`, dense and row-major. 1-D and 2-D pooling are supported.
public struct PoolingGeometry: Hashable, Sendable {
    public let batch: Int
    public let channels: Int
    public let inputSpatialShape: [Int]
    public let kernelSpatialShape: [Int]
    public let strides: [Int]
    public let dilations: [Int]
    public let padsBegin: [Int]
    public let padsEnd: [Int]
    public let ceilMode: Bool
    /// The spatial size of the output, one value per spatial axis.
    public let outputSpatialShape: [Int]

    let plane: PlaneGeometry

    /// Validates a pooling window and computes the output size.
    ///
    /// With `ceilMode` the output size rounds up, but no window starts inside the end padding
    /// (as onnxruntime and PyTorch do).
    /// - Throws: `KernelError` when a value is not positive, the ranks disagree, or the window does
    ///   not fit into the padded input.
    public init(
        batch: Int, channels: Int, inputSpatialShape: [Int], kernelSpatialShape: [Int],
        strides: [Int]? = nil, dilations: [Int]? = nil, padding: Padding = .valid, ceilMode: Bool = false
    ) throws(KernelError) {
        guard batch >= 0 else { throw KernelError(.invalidDimension, "batch = \(batch)") }
        guard channels >= 0 else { throw KernelError(.invalidDimension, "channels = \(channels)") }
        let axes = try SpatialAxes(
            input: inputSpatialShape, kernel: kernelSpatialShape, strides: strides, dilations: dilations,
            padding: padding, ceilMode: ceilMode)
        self.batch = batch
        self.channels = channels
        self.inputSpatialShape = inputSpatialShape
        self.kernelSpatialShape = kernelSpatialShape
        self.strides = axes.strides
        self.dilations = axes.dilations
        self.padsBegin = axes.padsBegin
        self.padsEnd = axes.padsEnd
        self.ceilMode = ceilMode
        self.outputSpatialShape = axes.output
        self.plane = axes.plane
    }

    /// Number of elements of the input tensor.
    public var inputCount: Int { batch * channels * plane.inputSize }
    /// Number of elements of the output tensor.
    public var outputCount: Int { batch * channels * plane.outputSize }
}
