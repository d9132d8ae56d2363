#!/usr/bin/env python3
"""Builds the ONNX models of the inference equivalence tests and benchmark, with onnxruntime's outputs.

    python3 bench/inference/models.py --out DIR

writes, for every model NAME:
    DIR/NAME.onnx                     the model (random weights, fixed seed)
    DIR/NAME/input_<i>.pb             inputs as serialized TensorProto (named after the graph input)
    DIR/NAME/output_<i>.pb            onnxruntime's outputs (one intra-op thread)
    DIR/NAME/<input name>.json        inputs as {"shape": [...], "data": [...], "dtype": ...}
and DIR/manifest.json: [{"name", "inputs", "outputs": [{"name", "dtype", "tolerance"}]}].

Tolerances: float outputs must match within "relative" (1e-4) of the reference value, or within
"absolute" for values near zero (1e-5; for a dequantized output, one quantization step);
8-bit outputs within "steps" (1).
"""
import argparse
import json
import os
import sys

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper
except ImportError as error:  # The tests turn this into a failure naming the missing package.
    sys.exit(f"models.py needs numpy, onnx and onnxruntime: {error}")

OPSET = 19
SEED = 20240501


def value_info(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def model_from(nodes, inputs, outputs, initializers, name):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="fleet-bench")
    model.ir_version = 9
    onnx.checker.check_model(model, full_check=True)
    return model


def dense_weights(rng, fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    return (rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
            rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))


def mlp(rng):
    """MLP 64-256-256-10 as PyTorch exports it: Gemm with transB, ReLU between layers."""
    sizes = [64, 256, 256, 10]
    nodes, inits, current = [], [], "x"
    for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        w, b = dense_weights(rng, fan_in, fan_out)
        inits += [numpy_helper.from_array(w, f"w{layer}"), numpy_helper.from_array(b, f"b{layer}")]
        out = "y" if layer == len(sizes) - 2 else f"h{layer}"
        nodes.append(helper.make_node("Gemm", [current, f"w{layer}", f"b{layer}"], [out], transB=1))
        if out != "y":
            nodes.append(helper.make_node("Relu", [out], [f"r{layer}"]))
            current = f"r{layer}"
    model = model_from(nodes, [value_info("x", TensorProto.FLOAT, [1, 64])],
                       [value_info("y", TensorProto.FLOAT, [1, 10])], inits, "mlp")
    return model, {"x": rng.standard_normal((1, 64)).astype(np.float32)}


def cnn(rng):
    """Small CNN on 1x28x28: two 3x3 convolutions with ReLU and 2x2 max pooling, two dense layers."""
    inits = []

    def conv_weights(name, out_channels, in_channels):
        bound = 1 / np.sqrt(in_channels * 9)
        inits.append(numpy_helper.from_array(
            rng.uniform(-bound, bound, (out_channels, in_channels, 3, 3)).astype(np.float32), f"{name}_w"))
        inits.append(numpy_helper.from_array(rng.uniform(-bound, bound, (out_channels,)).astype(np.float32), f"{name}_b"))

    conv_weights("conv1", 8, 1)
    conv_weights("conv2", 16, 8)
    w3, b3 = dense_weights(rng, 16 * 7 * 7, 64)
    w4, b4 = dense_weights(rng, 64, 10)
    inits += [numpy_helper.from_array(w3, "fc1_w"), numpy_helper.from_array(b3, "fc1_b"),
              numpy_helper.from_array(w4, "fc2_w"), numpy_helper.from_array(b4, "fc2_b")]
    nodes = [
        helper.make_node("Conv", ["x", "conv1_w", "conv1_b"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2_w", "conv2_b"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p2"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc1_w", "fc1_b"], ["d1"], transB=1),
        helper.make_node("Relu", ["d1"], ["r3"]),
        helper.make_node("Gemm", ["r3", "fc2_w", "fc2_b"], ["y"], transB=1),
    ]
    model = model_from(nodes, [value_info("x", TensorProto.FLOAT, [1, 1, 28, 28])],
                       [value_info("y", TensorProto.FLOAT, [1, 10])], inits, "cnn")
    return model, {"x": rng.standard_normal((1, 1, 28, 28)).astype(np.float32)}


def mlp_int8(rng):
    """The MLP quantised: uint8 activations, int8 symmetric weights, QLinearMatMul per layer.

    QuantizeLinear -> QLinearMatMul -> DequantizeLinear -> Add bias -> Relu -> QuantizeLinear -> ...
    Activation scales come from calibration runs of the float layers. Outputs: the last layer's uint8
    result `y_q` and its dequantized value `y`.
    """
    sizes = [64, 256, 256, 10]
    layers = [dense_weights(rng, i, o) for i, o in zip(sizes, sizes[1:])]
    calibration = rng.standard_normal((256, 64)).astype(np.float32)

    def uint8_params(values):
        low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
        scale = (high - low) / 255 or 1.0
        return np.float32(scale), np.uint8(round(-low / scale))

    nodes, inits = [], []

    def constant(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    activation = calibration
    scale, zero = uint8_params(activation)
    constant("x_scale", scale), constant("x_zero", zero)
    nodes.append(helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zero"], ["q0"]))
    current, current_scale, current_zero = "q0", "x_scale", "x_zero"
    for layer, (w, b) in enumerate(layers):
        wt = w.T  # MatMul layout: [in, out]
        w_scale = np.float32(np.abs(wt).max() / 127)
        w_q = np.clip(np.round(wt / w_scale), -127, 127).astype(np.int8)
        product = activation @ wt
        y_scale, y_zero = uint8_params(product)
        names = [constant(f"w{layer}_q", w_q), constant(f"w{layer}_scale", w_scale),
                 constant(f"w{layer}_zero", np.int8(0)), constant(f"m{layer}_scale", y_scale),
                 constant(f"m{layer}_zero", y_zero)]
        last = layer == len(layers) - 1
        matmul_out = "y_q" if last else f"m{layer}_q"
        nodes.append(helper.make_node("QLinearMatMul", [current, current_scale, current_zero, names[0], names[1], names[2],
                                                        names[3], names[4]], [matmul_out]))
        nodes.append(helper.make_node("DequantizeLinear", [matmul_out, names[3], names[4]],
                                      ["y_linear" if last else f"m{layer}"]))
        constant(f"b{layer}", b)
        if last:
            nodes.append(helper.make_node("Add", ["y_linear", f"b{layer}"], ["y"]))
            break
        nodes.append(helper.make_node("Add", [f"m{layer}", f"b{layer}"], [f"a{layer}"]))
        nodes.append(helper.make_node("Relu", [f"a{layer}"], [f"r{layer}"]))
        activation = np.maximum(product + b, 0)
        a_scale, a_zero = uint8_params(activation)
        constant(f"r{layer}_scale", a_scale), constant(f"r{layer}_zero", a_zero)
        nodes.append(helper.make_node("QuantizeLinear", [f"r{layer}", f"r{layer}_scale", f"r{layer}_zero"], [f"q{layer + 1}"]))
        current, current_scale, current_zero = f"q{layer + 1}", f"r{layer}_scale", f"r{layer}_zero"
    model = model_from(nodes, [value_info("x", TensorProto.FLOAT, [1, 64])],
                       [value_info("y_q", TensorProto.UINT8, [1, 10]), value_info("y", TensorProto.FLOAT, [1, 10])],
                       inits, "mlp_int8")
    # One step of the last layer's uint8 output, as the float output's absolute tolerance.
    return model, {"x": rng.standard_normal((1, 64)).astype(np.float32)}, {"y": float(y_scale) + 1e-5}


def broadcast(rng):
    """Broadcasting arithmetic and reshapes: [2,3,4] through Add/Mul/Sub/Div with smaller operands,
    Reshape, Transpose, MatMul, Unsqueeze/Squeeze, Concat, Flatten, ReduceMean and Softmax."""
    inits = [
        numpy_helper.from_array(rng.standard_normal((4,)).astype(np.float32), "bias"),
        numpy_helper.from_array(rng.uniform(0.5, 2, (3, 1)).astype(np.float32), "scale"),
        numpy_helper.from_array(np.array(0.25, np.float32), "offset"),
        numpy_helper.from_array(rng.uniform(1, 2, (1, 1, 4)).astype(np.float32), "divisor"),
        numpy_helper.from_array(np.array([6, 4], np.int64), "shape_6x4"),
        numpy_helper.from_array(np.array([-1], np.int64), "flat"),
        numpy_helper.from_array(rng.standard_normal((4, 5)).astype(np.float32), "w"),
        numpy_helper.from_array(np.array([0], np.int64), "axis0"),
    ]
    nodes = [
        helper.make_node("Add", ["x", "bias"], ["t1"]),            # [2,3,4] + [4]
        helper.make_node("Mul", ["t1", "scale"], ["t2"]),          # * [3,1]
        helper.make_node("Sub", ["t2", "offset"], ["t3"]),         # - scalar
        helper.make_node("Div", ["t3", "divisor"], ["t4"]),        # / [1,1,4]
        helper.make_node("Reshape", ["t4", "shape_6x4"], ["t5"]),  # [6,4]
        helper.make_node("MatMul", ["t5", "w"], ["t6"]),           # [6,5]
        helper.make_node("Transpose", ["t6"], ["t7"], perm=[1, 0]),  # [5,6]
        helper.make_node("Unsqueeze", ["t7", "axis0"], ["t8"]),    # [1,5,6]
        helper.make_node("Concat", ["t8", "t8"], ["t9"], axis=0),  # [2,5,6]
        helper.make_node("Mul", ["t9", "y_mean"], ["t10"]),        # * [2,1,1]
        helper.make_node("ReduceMean", ["x", "reduce_axes"], ["y_mean"], keepdims=1),  # [2,1,1]
        helper.make_node("Flatten", ["t10"], ["t11"], axis=1),     # [2,30]
        helper.make_node("Softmax", ["t11"], ["y"], axis=-1),
        helper.make_node("Reshape", ["t3", "flat"], ["z"]),        # [24]
    ]
    inits.append(numpy_helper.from_array(np.array([1, 2], np.int64), "reduce_axes"))
    # Topological order: ReduceMean before its consumer.
    nodes.insert(9, nodes.pop(10))
    model = model_from(nodes, [value_info("x", TensorProto.FLOAT, [2, 3, 4])],
                       [value_info("y", TensorProto.FLOAT, [2, 30]), value_info("z", TensorProto.FLOAT, [24])],
                       inits, "broadcast")
    return model, {"x": rng.standard_normal((2, 3, 4)).astype(np.float32)}


MODELS = {"mlp": mlp, "cnn": cnn, "mlp_int8": mlp_int8, "broadcast": broadcast}

DTYPES = {np.dtype(np.float32): "float32", np.dtype(np.uint8): "uint8", np.dtype(np.int8): "int8",
          np.dtype(np.int32): "int32", np.dtype(np.int64): "int64"}


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="directory for the models and their data")
    parser.add_argument("--only", nargs="*", help="model names (default: all)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for index, (name, build) in enumerate(MODELS.items()):
        if args.only and name not in args.only:
            continue
        rng = np.random.default_rng(SEED + index)
        model, inputs, *rest = build(rng)
        absolute = rest[0] if rest else {}
        path = os.path.join(args.out, f"{name}.onnx")
        onnx.save(model, path)
        data = os.path.join(args.out, name)
        os.makedirs(data, exist_ok=True)
        for i, (input_name, value) in enumerate(inputs.items()):
            with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(value, input_name).SerializeToString())
            with open(os.path.join(data, f"{input_name}.json"), "w") as f:
                json.dump({"shape": list(value.shape), "data": value.flatten().tolist(), "dtype": DTYPES[value.dtype]}, f)
        output_names = [output.name for output in model.graph.output]
        outputs = session(path).run(output_names, inputs)
        described = []
        for i, (output_name, value) in enumerate(zip(output_names, outputs)):
            with open(os.path.join(data, f"output_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(value, output_name).SerializeToString())
            if value.dtype in (np.uint8, np.int8):
                tolerance = {"steps": 1}
            else:
                tolerance = {"relative": 1e-4, "absolute": absolute.get(output_name, 1e-5)}
            described.append({"name": output_name, "dtype": DTYPES[value.dtype], "tolerance": tolerance})
        manifest.append({"name": name, "inputs": list(inputs), "outputs": described})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
