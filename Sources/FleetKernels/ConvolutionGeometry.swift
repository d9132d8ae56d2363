/// The shape of an NCHW convolution: channels, groups, spatial sizes, strides, dilations and pads.
///
/// Built once when a model is planned; the initializer validates every value and computes the
/// output size. Input is `[batch, inputChannels, spatial...]`, weights are
/// `[outputChannels, inputChannels / group, kernel...]`, output is `[batch, outputChannels, output...]`,
/// all dense and row-major. 1-D and 2-D convolutions are supported.
public struct ConvolutionGeometry: Hashable, Sendable {
    public let batch: Int
    public let inputChannels: Int
    public let outputChannels: Int
    public let group: Int
    public let inputSpatialShape: [Int]
    public let kernelSpatialShape: [Int]
    public let strides: [Int]
    public let dilations: [Int]
    public let padsBegin: [Int]
    public let padsEnd: [Int]
    /// The spatial size of the output, one value per spatial axis.
    public let outputSpatialShape: [Int]

    /// The same geometry normalised to two spatial axes (a 1-D convolution has height 1).
    let plane: PlaneGeometry

    /// Validates a convolution and computes its output size.
    ///
    /// - Parameters:
    ///   - strides: one per spatial axis; `nil` means 1.
    ///   - dilations: one per spatial axis; `nil` means 1.
    ///   - padding: explicit pads or an ONNX `auto_pad` mode.
    /// - Throws: `KernelError` when a value is not positive, the ranks disagree, the channels are
    ///   not divisible by `group`, or the dilated kernel does not fit into the padded input.
    public init(
        batch: Int, inputChannels: Int, outputChannels: Int, group: Int = 1,
        inputSpatialShape: [Int], kernelSpatialShape: [Int],
        strides: [Int]? = nil, dilations: [Int]? = nil, padding: Padding = .valid
    ) throws(KernelError) {
        guard batch >= 0 else { throw KernelError(.invalidDimension, "batch = \(batch)") }
        guard inputChannels > 0 else { throw KernelError(.invalidDimension, "input channels = \(inputChannels)") }
        guard outputChannels > 0 else { throw KernelError(.invalidDimension, "output channels = \(outputChannels)") }
        guard group > 0 else { throw KernelError(.invalidDimension, "group = \(group)") }
        guard inputChannels % group == 0, outputChannels % group == 0 else {
            throw KernelError(.invalidGroup, "\(inputChannels) input and \(outputChannels) output channels in \(group) groups")
        }
        let axes = try SpatialAxes(
            input: inputSpatialShape, kernel: kernelSpatialShape, strides: strides, dilations: dilations,
            padding: padding, ceilMode: false)
        self.batch = batch
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.group = group
        self.inputSpatialShape = inputSpatialShape
        self.kernelSpatialShape = kernelSpatialShape
        self.strides = axes.strides
        self.dilations = axes.dilations
        self.padsBegin = axes.padsBegin
        self.padsEnd = axes.padsEnd
        self.outputSpatialShape = axes.output
        self.plane = axes.plane
    }

    /// Input channels seen by one group.
    public var groupInputChannels: Int { inputChannels / group }
    /// Output channels produced by one group.
    public var groupOutputChannels: Int { outputChannels / group }
    /// Number of elements of the input tensor.
    public var inputCount: Int { batch * inputChannels * plane.inputSize }
    /// Number of elements of the weight tensor.
    public var weightCount: Int { outputChannels * groupInputChannels * plane.kernelSize }
    /// Number of elements of the output tensor.
    public var outputCount: Int { batch * outputChannels * plane.outputSize }

    /// Rows of the im2col matrix of one group: `groupInputChannels * kernel size`.
    var columnRows: Int { groupInputChannels * plane.kernelSize }
}

/// Spatial geometry normalised to height and width.
struct PlaneGeometry: Hashable, Sendable {
    var inputHeight: Int, inputWidth: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideHeight: Int, strideWidth: Int
    var dilationHeight: Int, dilationWidth: Int
    var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    var outputHeight: Int, outputWidth: Int

    var inputSize: Int { inputHeight * inputWidth }
    var kernelSize: Int { kernelHeight * kernelWidth }
    var outputSize: Int { outputHeight * outputWidth }

    /// True when the im2col matrix equals the input (1x1 kernel, unit strides, no pads).
    var isPointwise: Bool {
        kernelSize == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }
}

/// Validation and output-size computation shared by convolution and pooling.
struct SpatialAxes {
    var strides: [Int], dilations: [Int], padsBegin: [Int], padsEnd: [Int], output: [Int]
    var plane: PlaneGeometry

    init(
        input: [Int], kernel: [Int], strides: [Int]?, dilations: [Int]?, padding: Padding, ceilMode: Bool
    ) throws(KernelError) {
        let rank = input.count
        guard rank == 1 || rank == 2 else {
            throw KernelError(.unsupportedRank, "\(rank) spatial axes (1 or 2 supported)")
        }
        let strides = strides ?? Array(repeating: 1, count: rank)
        let dilations = dilations ?? Array(repeating: 1, count: rank)
        guard kernel.count == rank, strides.count == rank, dilations.count == rank else {
            throw KernelError(
                .unsupportedRank,
                "input has \(rank) spatial axes, kernel \(kernel.count), strides \(strides.count), dilations \(dilations.count)")
        }
        var padsBegin: [Int] = [], padsEnd: [Int] = [], output: [Int] = []
        for axis in 0..<rank {
            guard input[axis] > 0 else { throw KernelError(.invalidDimension, "input[\(axis)] = \(input[axis])") }
            guard kernel[axis] > 0 else { throw KernelError(.invalidDimension, "kernel[\(axis)] = \(kernel[axis])") }
            guard strides[axis] > 0 else { throw KernelError(.invalidDimension, "strides[\(axis)] = \(strides[axis])") }
            guard dilations[axis] > 0 else {
                throw KernelError(.invalidDimension, "dilations[\(axis)] = \(dilations[axis])")
            }
            let window = (kernel[axis] - 1) * dilations[axis] + 1
            let pads = try padding.resolve(
                axis: axis, rank: rank, input: input[axis], window: window, stride: strides[axis])
            let span = input[axis] + pads.begin + pads.end - window
            guard span >= 0 else {
                throw KernelError(
                    .emptyOutput, "window \(window) on axis \(axis) exceeds padded input \(input[axis] + pads.begin + pads.end)")
            }
            var size = span / strides[axis] + 1
            if ceilMode && span % strides[axis] != 0 {
                size += 1
                // A window may not start in the end padding.
                if (size - 1) * strides[axis] >= input[axis] + pads.begin { size -= 1 }
            }
            padsBegin.append(pads.begin)
            padsEnd.append(pads.end)
            output.append(size)
        }
        self.strides = strides
        self.dilations = dilations
        self.padsBegin = padsBegin
        self.padsEnd = padsEnd
        self.output = output
        let h = rank == 2 ? 0 : -1
        let w = rank - 1
        func at(_ values: [Int], _ axis: Int, _ missing: Int) -> Int { axis < 0 ? missing : values[axis] }
        self.plane = PlaneGeometry(
            inputHeight: at(input, h, 1), inputWidth: input[w],
            kernelHeight: at(kernel, h, 1), kernelWidth: kernel[w],
            strideHeight: at(strides, h, 1), strideWidth: strides[w],
            dilationHeight: at(dilations, h, 1), dilationWidth: dilations[w],
            padTop: at(padsBegin, h, 0), padLeft: padsBegin[w],
            padBottom: at(padsEnd, h, 0), padRight: padsEnd[w],
            outputHeight: at(output, h, 1), outputWidth: output[w])
    }
}
