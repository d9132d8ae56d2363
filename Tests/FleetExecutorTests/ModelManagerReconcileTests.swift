import Foundation
import FleetCore
import FleetExecutor
import FleetJSON
import Testing

/// `ModelManager` as the reconciler's target, with real models and a state directory on disk: policy marks
/// survive a restart (adoption), a direct deploy takes the item back from the policy, a changed kept file is drift.
@Suite struct ModelManagerReconcileTests {
    typealias Fixture = ModelManagerTests.Fixture

    @Test func aPolicyDeploymentIsAdoptedAfterARestartAndAChangedKeptFileIsDrift() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let request = try fixture.payload("registry-name", try ONNXFixtures.bytes("affine", 0))
        let manager = try fixture.manager()
        let item = try manager.prepare(name: "scorer", payload: request.json)
        #expect(item.name == "scorer" && item.payload["name"] == "scorer", "the desired state's key names the deployment")
        #expect(item.version == "registry-name@1.0.0", "the version is the registry's name@version")
        #expect(manager.observe().isEmpty)

        try manager.apply(item, .add)
        #expect(manager.observe() == ["scorer": .init(fingerprint: item.fingerprint, managed: true, intact: true)])
        #expect(FileManager.default.fileExists(atPath: fixture.state.file("models/scorer.policy")))

        fixture.artifacts.withLock { $0.removeAll() }
        let restarted = try fixture.manager()
        #expect(restarted.restoreRecorded() == ["scorer"])
        #expect(restarted.observe() == ["scorer": .init(fingerprint: item.fingerprint, managed: true, intact: true)],
                "the restarted executor knows the deployment as the policy's, with the same fingerprint")

        // Someone writes over the kept file: drift. Repairing fetches and records it again.
        try Data("not the model".utf8).write(to: URL(fileURLWithPath: fixture.state.file("models/scorer.onnx")))
        #expect(restarted.observe()["scorer"]?.intact == false)
        _ = try fixture.payload("registry-name", try ONNXFixtures.bytes("affine", 0))
        try restarted.apply(item, .repair)
        #expect(restarted.observe()["scorer"] == .init(fingerprint: item.fingerprint, managed: true, intact: true))

        // A direct command's deploy under the same name is no longer the policy's.
        let direct = try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 1), version: "2.0.0")
        try restarted.deploy(direct)
        #expect(restarted.observe()["scorer"]?.managed == false)
        #expect(!FileManager.default.fileExists(atPath: fixture.state.file("models/scorer.policy")))

        try restarted.remove(name: "scorer")
        #expect(restarted.observe().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.state.file("models")).isEmpty, "no record, file or mark left")
    }

    @Test func adoptingMarksADirectDeploymentWithTheDesiredPayload() throws {
        let fixture = Fixture()
        defer { fixture.cleanUp() }
        let request = try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 0))
        let manager = try fixture.manager()
        try manager.deploy(request)
        let item = try manager.prepare(name: "scorer", payload: request.json)
        #expect(manager.observe() == ["scorer": .init(fingerprint: item.fingerprint, managed: false, intact: true)])
        try manager.adopt(item)
        #expect(manager.observe()["scorer"]?.managed == true)
        #expect(try fixture.manager().restoreRecorded() == ["scorer"])

        let other = try manager.prepare(name: "scorer", payload: try fixture.payload("scorer", try ONNXFixtures.bytes("affine", 1),
                                                                                     version: "2.0.0").json)
        #expect { try manager.adopt(other) } throws: { "\($0)".contains("changed before it could be adopted") }
    }
}
