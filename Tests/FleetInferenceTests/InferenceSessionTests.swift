import Testing
@testable import FleetInference

@Suite struct InferenceSessionTests {
    func mlpSession() throws -> InferenceSession {
        try InferenceSession(model: try Model(bytes: TestModels.bytes(TestModels.mlp())))
    }

    @Test func mlpComputesReluOfAffineMap() throws {
        let session = try mlpSession()
        let x = try Tensor(shape: [2, 3], values: [Float](arrayLiteral: 1, 2, 3, -1, 0, 1))
        let outputs = try session.run(["x": x])
        #expect(outputs.map(\.name) == ["y"])
        // Row 1: [1+4-3+0.5, -1+1+3-0.5] = [2.5, 2.5]; row 2: [-1-1+0.5, 1+1-0.5] -> relu -> [0, 1.5]
        #expect(outputs[0].tensor.shape == [2, 2])
        #expect(outputs[0].tensor.values(as: Float.self) == [2.5, 2.5, 0, 1.5])
    }

    @Test func unknownInputNameIsRefused() throws {
        let session = try mlpSession()
        let x = try Tensor(shape: [1, 3], values: [Float](repeating: 0, count: 3))
        let error = #expect(throws: InferenceError.self) { try session.run(["x": x, "extra": x]) }
        #expect(error?.reason == .unknownInput("extra"))
        #expect(error?.description.contains("'extra'") == true)
    }

    @Test func missingInputIsRefused() throws {
        let error = #expect(throws: InferenceError.self) { try mlpSession().run([:]) }
        #expect(error?.reason == .missingInput("x"))
    }

    @Test func wrongShapeNamesExpectedAndGiven() throws {
        let x = try Tensor(shape: [2, 4], values: [Float](repeating: 0, count: 8))
        let error = #expect(throws: InferenceError.self) { try mlpSession().run(["x": x]) }
        #expect(error?.reason == .wrongShape(input: "x", expected: [.symbolic("batch"), .fixed(3)], given: [2, 4]))
        #expect(error?.description == "input 'x' must have shape [batch, 3], got [2, 4]")
    }

    @Test func wrongElementTypeIsRefused() throws {
        let x = try Tensor(shape: [1, 3], values: [Int64](arrayLiteral: 1, 2, 3))
        let error = #expect(throws: InferenceError.self) { try mlpSession().run(["x": x]) }
        #expect(error?.reason == .wrongElementType(input: "x", expected: .float32, given: .int64))
    }

    @Test func tensorCountMustMatchShape() {
        #expect(throws: InferenceError.self) { try Tensor(shape: [2, 2], values: [Float](arrayLiteral: 1, 2, 3)) }
        #expect(throws: InferenceError.self) { try Tensor(shape: [-1], values: [Float]()) }
        #expect(throws: InferenceError.self) { try Tensor(elementType: .int8, shape: [1], doubles: [300]) }
        #expect(throws: InferenceError.self) { try Tensor(elementType: .int32, shape: [1], doubles: [1.5]) }
    }

    @Test func tensorRoundTripsThroughDoubles() throws {
        let tensor = try Tensor(elementType: .uint8, shape: [3], doubles: [0, 7, 255])
        #expect(tensor.values(as: UInt8.self) == [0, 7, 255])
        #expect(tensor.values(as: Int8.self) == nil)
        #expect(tensor.doubles == [0, 7, 255])
    }

    @Test func plansAreReusedPerInputShape() throws {
        let session = try mlpSession()
        let one = try Tensor(shape: [1, 3], values: [Float](repeating: 1, count: 3))
        let four = try Tensor(shape: [4, 3], values: [Float](repeating: 1, count: 12))
        _ = try session.run(["x": one])
        _ = try session.run(["x": one])
        #expect(session.planCount == 1)
        _ = try session.run(["x": four])
        #expect(session.planCount == 2)
        let again = try session.run(["x": one])
        #expect(session.planCount == 2)
        #expect(again[0].tensor.shape == [1, 2])
    }

    @Test func chainReusesIntermediateMemory() throws {
        // Five elementwise steps on 1024 floats: liveness lets them share two or three buffers.
        let nodes = (0..<5).map { TestModels.node("Neg", [$0 == 0 ? "x" : "v\($0)"], [$0 == 4 ? "y" : "v\($0 + 1)"]) }
        let model = TestModels.model(nodes: nodes, inputs: [TestModels.value("x", .float32, [1024])],
                                     outputs: [TestModels.value("y", .float32, [1024])])
        let session = try InferenceSession(model: try Model(bytes: TestModels.bytes(model)))
        let x = try Tensor(shape: [1024], values: [Float](repeating: 2, count: 1024))
        let y = try session.run(["x": x])
        #expect(y[0].tensor.values(as: Float.self)?.allSatisfy { $0 == -2 } == true)
        let arena = try #require(session.arenaSize(for: ["x": x]))
        #expect(arena <= 3 * 4096)
    }

    @Test func shapeComputedFromAnInputValueKeysThePlan() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Reshape", ["x", "shape"], ["y"])],
            inputs: [TestModels.value("x", .float32, [6]), TestModels.value("shape", .int64, [2])],
            outputs: [TestModels.value("y", .float32, [nil, nil])])
        let session = try InferenceSession(model: try Model(bytes: TestModels.bytes(model)))
        let x = try Tensor(shape: [6], values: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        let a = try session.run(["x": x, "shape": try Tensor(shape: [2], values: [Int64](arrayLiteral: 2, 3))])
        let b = try session.run(["x": x, "shape": try Tensor(shape: [2], values: [Int64](arrayLiteral: 3, -1))])
        #expect(a[0].tensor.shape == [2, 3])
        #expect(b[0].tensor.shape == [3, 2])
        let error = #expect(throws: InferenceError.self) {
            try session.run(["x": x, "shape": try Tensor(shape: [2], values: [Int64](arrayLiteral: 4, 4))])
        }
        guard case .nodeFailed(_, "Reshape", _)? = error?.reason else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func gatherIndexOutOfRangeThrows() throws {
        let model = TestModels.model(
            nodes: [TestModels.node("Gather", ["x", "i"], ["y"])],
            inputs: [TestModels.value("x", .float32, [3]), TestModels.value("i", .int64, [1])],
            outputs: [TestModels.value("y", .float32, [1])])
        let session = try InferenceSession(model: try Model(bytes: TestModels.bytes(model)))
        let x = try Tensor(shape: [3], values: [Float](arrayLiteral: 1, 2, 3))
        let y = try session.run(["x": x, "i": try Tensor(shape: [1], values: [Int64](arrayLiteral: -1))])
        #expect(y[0].tensor.values(as: Float.self) == [3])
        #expect(throws: InferenceError.self) { try session.run(["x": x, "i": try Tensor(shape: [1], values: [Int64](arrayLiteral: 3))]) }
    }
}

@Suite struct BroadcastTests {
    @Test func shapesBroadcastLikeNumpy() throws {
        let broadcast = try Broadcast([[2, 1, 3], [4, 1]])
        #expect(broadcast.shape == [2, 4, 3])
        #expect(broadcast.strides[0] == [3, 0, 1])
        #expect(broadcast.strides[1] == [0, 1, 0])
        #expect(try Broadcast([[], [5]]).shape == [5])
        #expect(throws: OpError.self) { try Broadcast([[2, 3], [4]]) }
    }

    @Test func runsVisitEveryOutputElementOnce() throws {
        let broadcast = try Broadcast([[2, 1, 3], [4, 1]])
        var visited = [Int]()
        var sources = [(Int, Int)]()
        broadcast.forEachRun { output, offsets, run, strides in
            for k in 0..<run {
                visited.append(output + k)
                sources.append((offsets[0] + k * strides[0], offsets[1] + k * strides[1]))
            }
        }
        #expect(visited == Array(0..<24))
        // Output [1, 2, 0] reads a[1, 0, 0] = 3 and b[2, 0] = 2.
        #expect(sources[1 * 12 + 2 * 3].0 == 3 && sources[1 * 12 + 2 * 3].1 == 2)
    }
}

@Suite struct MemoryPlannerTests {
    @Test func deadValuesAreReused() {
        let (offsets, size) = MemoryPlanner.assign([
            .init(firstStep: 0, lastStep: 1, byteCount: 256),
            .init(firstStep: 1, lastStep: 2, byteCount: 256),
            .init(firstStep: 2, lastStep: 3, byteCount: 256),
        ])
        #expect(offsets[2] == offsets[0])
        #expect(offsets[1] != offsets[0])
        #expect(size == 512)
    }

    @Test func liveValuesNeverOverlap() {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            return Int(state >> 33) % bound
        }
        let intervals = (0..<200).map { _ -> MemoryPlanner.Interval in
            let first = next(50)
            return .init(firstStep: first, lastStep: first + next(10), byteCount: 1 + next(5000))
        }
        let (offsets, size) = MemoryPlanner.assign(intervals)
        for i in intervals.indices {
            #expect(offsets[i] % MemoryPlanner.alignment == 0)
            #expect(offsets[i] + intervals[i].byteCount <= size)
            for j in intervals.indices where j > i {
                let overlapInTime = intervals[i].firstStep <= intervals[j].lastStep && intervals[j].firstStep <= intervals[i].lastStep
                let overlapInSpace = offsets[i] < offsets[j] + intervals[j].byteCount && offsets[j] < offsets[i] + intervals[i].byteCount
                #expect(!(overlapInTime && overlapInSpace), "intervals \(i) and \(j) share memory while both live")
            }
        }
    }
}
