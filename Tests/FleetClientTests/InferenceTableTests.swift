import FleetClient
import FleetJSON
import Testing

/// What `fleetctl infer` shows for an `inference.run` result.
@Suite struct InferenceTableTests {
    @Test func outputsAreRowsWithTheFirstValues() {
        let result: JSON = [
            "outputs": [
                "probabilities": ["shape": [1, 10], "data": .array((0..<10).map { .double(Double($0) / 3) }), "dtype": "float32"],
                "label": ["shape": [1], "data": [7], "dtype": "int64"],
                "broken": ["shape": [2], "data": [1]],
            ],
            "latency_ms": 0.5,
        ]
        #expect(Table.inferenceOutputs(result).render() == """
            OUTPUT          DTYPE     SHAPE     VALUES
            broken          ?         ?         broken.data: has 1 elements; shape [2] needs 2
            label           int64     [1]       7
            probabilities   float32   [1, 10]   0 0.333333 0.666667 1 1.33333 1.66667 2 2.33333 … (10 values)

            """)
    }
}
