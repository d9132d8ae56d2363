/// ONNX model loading, validation and CPU execution.
public enum FleetInference {}
