import Foundation
import Testing
import FleetBPF

@Suite("exec_events")
struct ExecEventsTests {
    /// Layout of `struct exec_event` in bpf/exec_events.bpf.c.
    private struct ExecEvent {
        let pid: UInt32
        let comm: String
        let filename: String

        init?(_ record: BPFRingBufferRecord) {
            guard let pid = record.integer(at: 0, as: UInt32.self),
                  let comm = record.string(at: 16, capacity: 16),
                  let filename = record.string(at: 32, capacity: 256) else { return nil }
            self.pid = pid
            self.comm = comm
            self.filename = filename
        }
    }

    private final class Inbox {
        var events: [ExecEvent] = []
    }

    @Test func spawningAProcessDeliversAnEvent() throws {
        let object = try TestObjects.load("exec_events")
        let links = try object.attachAll()
        #expect(links.keys.sorted() == ["trace_exec"])
        let inbox = Inbox()
        let ring = try BPFRingBuffer(map: object.map(named: "exec_ringbuf")) { record in
            if let event = ExecEvent(record) { inbox.events.append(event) }
        }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let pid = UInt32(child.processIdentifier)

        let seen = try eventually {
            try ring.poll(timeout: .milliseconds(100))
            return inbox.events.contains { $0.pid == pid }
        }
        #expect(seen)
        let event = try #require(inbox.events.first { $0.pid == pid })
        #expect(event.comm == "true")
        #expect(event.filename == "/bin/true")
    }

    @Test func ringBufferRejectsOtherMapTypes() throws {
        let object = try TestObjects.load("exec_events")
        let error = try #require(throws: BPFError.self) { _ = try BPFRingBuffer(map: object.map(named: "exec_dropped")) { _ in } }
        #expect(error.code == .invalidArgument)
    }
}
