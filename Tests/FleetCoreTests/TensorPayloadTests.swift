import Testing
import FleetJSON
import FleetCore

@Suite struct TensorPayloadTests {
    @Test func tensorsDecodeWithTheirDtypeAndRoundTrip() throws {
        let float = try TensorPayload(json: ["shape": [1, 4], "data": [0.5, 1, -2, 3.25]], path: "x")
        #expect(float.shape == [1, 4])
        #expect(float.elements == .float32([0.5, 1, -2, 3.25]))
        #expect(try TensorPayload(json: float.json, path: "") == float)

        let int8 = try TensorPayload(json: ["shape": [3], "data": [-128, 0, 127], "dtype": "int8"], path: "x")
        #expect(int8.elements == .int8([-128, 0, 127]))
        #expect(int8.json["dtype"] == "int8")
        let int64 = try TensorPayload(json: ["shape": [1], "data": [9_000_000_000], "dtype": "int64"], path: "x")
        #expect(int64.elements == .int64([9_000_000_000]))
        let scalar = try TensorPayload(json: ["shape": [], "data": [7], "dtype": "uint8"], path: "x")
        #expect(scalar.elements == .uint8([7]))
        let empty = try TensorPayload(json: ["shape": [0, 4], "data": []], path: "x")
        #expect(empty.elements.count == 0)
    }

    @Test(arguments: [
        (["shape": [2, 2], "data": [1, 2, 3]] as JSON, "x.data: has 3 elements; shape [2, 2] needs 4"),
        (["shape": [-1], "data": []] as JSON, "x.shape[0]: a dimension must be a non-negative integer, got -1"),
        (["shape": ["a"], "data": []] as JSON, "x.shape[0]: a dimension must be a non-negative integer, got \"a\""),
        (["shape": [1], "data": [300], "dtype": "uint8"] as JSON, "x.data[0]: 300 does not fit uint8 (0...255)"),
        (["shape": [1], "data": [1.5], "dtype": "int32"] as JSON, "x.data[0]: 1.5 does not fit int32 (-2147483648...2147483647)"),
        (["shape": [1], "data": [true]] as JSON, "x.data[0]: true does not fit float32"),
        (["shape": [1], "data": [1], "dtype": "bool"] as JSON, "x.dtype: unknown dtype 'bool': use float32, int8, uint8, int32, int64"),
        (["shape": [1], "data": [1], "name": "x"] as JSON, "x: unknown field 'name'"),
        (["data": [1]] as JSON, "x.shape: required field is missing"),
        (["shape": [4_294_967_296, 4_294_967_296, 4_294_967_296], "data": []] as JSON, "x.shape: [4294967296, 4294967296, 4294967296] has too many elements"),
    ])
    func malformedTensorsNameThePathAndTheProblem(_ json: JSON, _ message: String) {
        #expect(throws: JSONError.self) { try TensorPayload(json: json, path: "x") }
        do {
            _ = try TensorPayload(json: json, path: "x")
        } catch let error as JSONError {
            #expect(error.description == message)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func shapesAreCheckedWhenBuiltInCodeToo() throws {
        #expect(throws: JSONError.self) { try TensorPayload(shape: [2, 3], elements: .float32([1, 2])) }
        let tensor = try TensorPayload(shape: [2], elements: .int32([1, 2]))
        #expect(tensor.json == ["shape": [2], "data": [1, 2], "dtype": "int32"])
    }

    @Test func inferenceRequestsNeedAModelAndInputs() throws {
        let request = try InferenceRequest(json: ["model": "anomaly", "inputs": ["x": ["shape": [1], "data": [1]]]], path: "payload")
        #expect(request.model == "anomaly")
        #expect(request.inputs["x"]?.shape == [1])
        #expect(try InferenceRequest(json: request.json, path: "") == request)
        #expect(throws: JSONError(path: "payload.inputs", message: "must give at least one input tensor")) {
            try InferenceRequest(json: ["model": "anomaly", "inputs": [:]], path: "payload")
        }
        #expect(throws: JSONError(path: "payload.inputs.x.data", message: "has 0 elements; shape [1] needs 1")) {
            try InferenceRequest(json: ["model": "anomaly", "inputs": ["x": ["shape": [1], "data": []]]], path: "payload")
        }
    }
}
