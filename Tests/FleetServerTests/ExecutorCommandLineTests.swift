import Foundation
import Testing

/// `fleet-executor`'s command line: help, usage errors (status 64) and failures after parsing (status 1).
@Suite struct ExecutorCommandLineTests {
    private func executor(_ arguments: String...) throws -> (status: Int32, output: String, errors: String) {
        try ProgramFixtures.run(BuiltProducts.fleetExecutor.path, arguments)
    }

    @Test func helpListsCommandsAndOptions() throws {
        let root = try executor("--help")
        #expect(root.status == 0)
        for command in ["enroll", "run", "infer"] { #expect(root.output.contains("\n  \(command) "), "\(command) in \(root.output)") }

        let run = try executor("run", "--help")
        #expect(run.status == 0)
        for option in ["--telemetry-interval <telemetry-interval>", "--trusted-key <trusted-key>", "--state-dir <state-dir>",
                       "(default: /var/lib/fleet-executor)"] {
            #expect(run.output.contains(option), "\(option) in \(run.output)")
        }
        #expect(try executor("help", "run").output == run.output)
        #expect(try executor("infer", "-h").output.contains("USAGE: fleet-executor infer <model.onnx> [--input <name=tensor> ...] [--repeat <n>]"))
    }

    @Test func usageErrorsExit64AndSayWhatIsWrong() throws {
        let cases: [([String], String)] = [
            (["deploy"], "Unexpected argument 'deploy'"),
            (["run", "--bogus"], "Unknown option '--bogus'"),
            (["run", "--telemetry-interval"], "Missing value for '--telemetry-interval <telemetry-interval>'"),
            (["run", "--telemetry-interval", "0"], "--telemetry-interval must be between 1 and 3600"),
            (["run", "--telemetry-interval=abc"], "The value 'abc' is invalid"),
            (["enroll", "--server", "http://127.0.0.1:1"], "Missing expected argument '--token <token>'"),
            (["enroll", "--server", "http://127.0.0.1:1", "--token", "fle_x", "--hardware-id", ""], "--hardware-id must be 1 to 256 characters"),
            (["infer"], "Missing expected argument '<model.onnx>'"),
            (["infer", "a.onnx", "b.onnx"], "Unexpected argument 'b.onnx'"),
            (["infer", "a.onnx", "--repeat", "0"], "--repeat must be between 1 and 10000000"),
        ]
        for (arguments, message) in cases {
            let result = try ProgramFixtures.run(BuiltProducts.fleetExecutor.path, arguments)
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.errors)")
            #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
        }
    }

    @Test func failuresAfterParsingExit1() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("executor-cli-\(UUID().uuidString)").path
        let run = try executor("run", "--state-dir", state)
        #expect(run.status == 1)
        #expect(run.errors.contains("not enrolled: \(state)/identity.json does not exist"))
        let enroll = try executor("enroll", "--server", "http://127.0.0.1:1", "--token", "fle_x", "--state-dir", state)
        #expect(enroll.status == 1)
        #expect(enroll.errors.contains("enrolment failed: cannot reach http://127.0.0.1:1"))
    }
}
