"""Times numpy and onnxruntime (one intra-op thread) on the layer shapes KernelBench.swift times."""
import json
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def measure(kind, name, shape, body, runs=3000):
    for _ in range(200):
        body()
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        for _ in range(10):
            body()
        samples.append((time.perf_counter_ns() - start) / 10 / 1000)
    samples.sort()
    print(json.dumps({"impl": kind, "kernel": name, "shape": shape,
                      "median_us": round(samples[len(samples) // 2], 3),
                      "p99_us": round(samples[len(samples) * 99 // 100], 3)}))


def session(nodes, inputs, initializers, opset=19, output_type=TensorProto.FLOAT):
    graph = helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info("y", output_type, None)],
                              initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


rng = np.random.default_rng(0)
for k, n in [(64, 256), (256, 256), (256, 10), (784, 64), (64, 10)]:
    x = rng.standard_normal((1, k), dtype=np.float32)
    w = rng.standard_normal((k, n), dtype=np.float32)
    wt = np.ascontiguousarray(w.T)
    measure("numpy", "sgemm", f"1x{k} * {k}x{n}", lambda: np.matmul(x, w))
    s = session([helper.make_node("MatMul", ["x", "w"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k])], [numpy_helper.from_array(w, "w")])
    measure("onnxruntime", "sgemm", f"1x{k} * {k}x{n}", lambda: s.run(None, {"x": x}))
    s2 = session([helper.make_node("Gemm", ["x", "w"], ["y"], transB=1)],
                 [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k])], [numpy_helper.from_array(wt, "w")])
    measure("onnxruntime", "sgemm_transB", f"1x{k} * ({n}x{k})T", lambda: s2.run(None, {"x": x}))

for c, o, size in [(1, 8, 28), (8, 16, 14)]:
    x = rng.standard_normal((1, c, size, size), dtype=np.float32)
    w = rng.standard_normal((o, c, 3, 3), dtype=np.float32)
    b = rng.standard_normal((o,), dtype=np.float32)
    s = session([helper.make_node("Conv", ["x", "w", "b"], ["y"], pads=[1, 1, 1, 1])],
                [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))],
                [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    measure("onnxruntime", "conv", f"1x{c}x{size}x{size} * {o}x{c}x3x3 pad 1", lambda: s.run(None, {"x": x}))
    y = rng.standard_normal((1, o, size, size), dtype=np.float32)
    s2 = session([helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
                 [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(y.shape))], [])
    measure("onnxruntime", "maxpool", f"1x{o}x{size}x{size} 2x2/2", lambda: s2.run(None, {"x": y}))

for k, n in [(64, 256), (256, 256), (256, 10)]:
    x = rng.integers(0, 256, (1, k), dtype=np.uint8)
    w = rng.integers(-128, 128, (k, n), dtype=np.int8)
    inits = [numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.array(0.02, np.float32), "as"), numpy_helper.from_array(np.array(3, np.uint8), "az"),
             numpy_helper.from_array(np.array(0.01, np.float32), "bs"), numpy_helper.from_array(np.array(0, np.int8), "bz"),
             numpy_helper.from_array(np.array(0.5, np.float32), "ys"), numpy_helper.from_array(np.array(128, np.uint8), "yz")]
    s = session([helper.make_node("QLinearMatMul", ["x", "as", "az", "w", "bs", "bz", "ys", "yz"], ["y"])],
                [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, k])], inits,
                output_type=TensorProto.UINT8)
    measure("onnxruntime", "qlinear_matmul", f"1x{k} * {k}x{n} u8*s8->u8", lambda: s.run(None, {"x": x}))
# The fixed cost of one onnxruntime run (an Identity node), part of every figure above.
xi = np.zeros((1, 4), np.float32)
s = session([helper.make_node("Identity", ["x"], ["y"])], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])], [])
measure("onnxruntime", "identity", "1x4 (per-run overhead)", lambda: s.run(None, {"x": xi}))
