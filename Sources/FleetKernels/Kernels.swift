/// Numeric kernels of the ONNX runtime: matrix products, convolutions, pooling and their int8
/// variants over raw buffers. No allocation inside a kernel; the caller owns every buffer.
public enum Kernels {}
