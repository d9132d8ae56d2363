import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON
import Foundation

extension Fleetctl.Send {
    struct SendCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "command",
            abstract: "Queue a command for a device, and optionally wait for its outcome.",
            discussion: """
                Types the executor understands: program.load, program.unload, program.replace, model.deploy, \
                model.remove, inference.run, telemetry.flush, executor.ping. Other well-formed types are \
                queued and the executor rejects them.

                With --wait, fleetctl waits until the command is terminal and prints it; the server holds each \
                request until the command finishes (or for up to 30 s, then fleetctl asks again). Exit status: 0 when \
                it succeeded (or was queued, without --wait); 1 when it failed, was rejected, expired or was \
                canceled, or on any error; 2 when --timeout ran out first (the command goes on).

                Examples:
                  fleetctl send command 5f0c… executor.ping --wait
                  fleetctl send command 5f0c… inference.run --payload @req.json --wait --timeout 2m
                  fleetctl send command gw-7 telemetry.flush --idempotency-key flush-2026-01-01
                """
        )

        @OptionGroup var globals: GlobalOptions

        @Argument(help: ArgumentHelp("A device's name or ID.", valueName: "device"), transform: ArgumentTransforms.device)
        var device: DeviceReference

        @Argument(help: ArgumentHelp("The command type, e.g. executor.ping.", valueName: "type"))
        var type: String

        @Option(help: ArgumentHelp("The payload: JSON text, @FILE, or @- for stdin (default: {}).", valueName: "json"))
        var payload: String?

        @Option(help: ArgumentHelp("Time to live before the command expires undelivered, e.g. 10m (server default: 1h).", valueName: "duration"),
                transform: ArgumentTransforms.seconds)
        var ttl: Int?

        @Option(help: ArgumentHelp("Sending the same key again returns the first command instead of a new one.", valueName: "key"))
        var idempotencyKey: String?

        @Flag(help: "Wait until the command is terminal and print the outcome.")
        var wait = false

        @Option(help: ArgumentHelp("How long --wait waits, e.g. 30s or 5m (default: 60s).", valueName: "duration"),
                transform: ArgumentTransforms.duration)
        var timeout: Duration?

        func validate() throws {
            if timeout != nil && !wait { throw ValidationError("--timeout only applies with --wait") }
            if let payload, !payload.hasPrefix("@") { _ = try ArgumentTransforms.jsonDocument(payload, option: "--payload") }
        }

        func run() throws {
            let body = try payload.map { try ArgumentTransforms.jsonDocument($0, option: "--payload") } ?? [:]
            let client = try globals.client()
            let submission = try client.createCommand(NewCommand(type: type, payload: body, ttlSeconds: ttl, idempotencyKey: idempotencyKey),
                                                      for: try device.resolve(using: client))
            let showProgress = globals.output == .table
            if !submission.created {
                Console.note("idempotency key '\(idempotencyKey ?? "")' matched command \(submission.command.id), which is \(submission.command.state.rawValue)")
            }
            guard wait else {
                globals.printer.show(submission.command) { DetailView.command(submission.command, now: $0).render() }
                return
            }
            let limit = timeout ?? .seconds(60)
            let outcome = try CommandWaiting(client: client, showProgress: showProgress).wait(for: submission.command, timeout: limit)
            let command = outcome.command
            globals.printer.show(command) { DetailView.command(command, now: $0).render() }
            try CommandWaiting.requireSuccess(outcome, timeout: limit)
        }
    }
}
