import Foundation
import Testing

/// `fleet-executor`'s own argument parser: help, usage errors (status 64) and values checked before any work.
@Suite struct ExecutorCommandLineTests {
    private func executor(_ arguments: String...) throws -> (status: Int32, output: String, errors: String) {
        try ProgramFixtures.run(BuiltProducts.fleetExecutor.path, arguments)
    }

    @Test func helpListsCommandsAndOptions() throws {
        let root = try executor("--help")
        #expect(root.status == 0)
        for command in ["enroll", "run", "infer", "help"] { #expect(root.output.contains("\n  \(command) "), "\(command) in \(root.output)") }
        #expect(try executor().output == root.output)

        let run = try executor("run", "--help")
        #expect(run.status == 0)
        for option in ["--telemetry-interval <seconds>", "--trusted-key <file>", "--state-dir <path>", "(default: /var/lib/fleet-executor)"] {
            #expect(run.output.contains(option), "\(option) in \(run.output)")
        }
        #expect(try executor("help", "run").output == run.output)
        #expect(try executor("infer", "-h").output.contains("USAGE: fleet-executor infer <model.onnx> [--input <name=tensor>] ... [--repeat <n>]"))
    }

    @Test func usageErrorsExit64AndSayWhatIsWrong() throws {
        let cases: [([String], String)] = [
            (["deploy"], "unknown command 'deploy'"),
            (["run", "--bogus"], "unknown option '--bogus'"),
            (["run", "--telemetry-interval"], "missing value for '--telemetry-interval <seconds>'"),
            (["run", "--telemetry-interval", "0"], "--telemetry-interval must be a number from 1 to 3600, not '0'"),
            (["run", "--telemetry-interval=abc"], "not 'abc'"),
            (["run", "--state-dir", "/a", "--state-dir", "/b"], "'--state-dir' given more than once"),
            (["enroll", "--server", "http://127.0.0.1:1"], "missing '--token <token>'"),
            (["enroll", "--server", "http://127.0.0.1:1", "--token", "fle_x", "--hardware-id", ""], "--hardware-id must be 1 to 256 characters"),
            (["infer"], "missing <model.onnx>"),
            (["infer", "a.onnx", "b.onnx"], "unexpected argument 'b.onnx'"),
            (["infer", "a.onnx", "--repeat", "0"], "--repeat must be a number from 1 to 10000000"),
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
