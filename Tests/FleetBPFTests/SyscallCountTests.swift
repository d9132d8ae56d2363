import Foundation
import Testing
import FleetBPF

@Suite("syscall_count")
struct SyscallCountTests {
    @Test func countsRiseWhileTheProcessMakesSyscalls() throws {
        var file = try TestObjects.open("syscall_count")
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        let object = try file.load()
        let link = try object.program(named: "count_syscalls").attach(.tracepoint(category: "raw_syscalls", name: "sys_enter"))
        defer { withExtendedLifetime(link) {} }

        makeSyscalls(1000)
        let total = try object.map(named: "syscall_total")
        let counts = try object.map(named: "syscall_counts")
        #expect(try total.u64Counter(forKey: 0) ?? 0 >= 1000)
        #expect(try counts.u64Counter(forKey: getpidSyscall) ?? 0 >= 1000)
        #expect(try counts.u64Counters()[getpidSyscall] ?? 0 >= 1000)

        let before = try #require(try total.u64Counter(forKey: 0))
        makeSyscalls(500)
        #expect(try total.u64Counter(forKey: 0) ?? 0 >= before + 500)
    }

    @Test func rodataTargetPidLimitsCountingToThatProcess() throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }

        var file = try TestObjects.open("syscall_count")
        try file.setRodata("target_pid", to: .int(Int64(sleeper.processIdentifier)))
        let object = try file.load()
        let link = try object.program(named: "count_syscalls").attach()
        defer { withExtendedLifetime(link) {} }

        makeSyscalls(1000)
        let counts = try object.map(named: "syscall_counts")
        #expect(try counts.u64Counter(forKey: getpidSyscall) == nil)
        #expect(try object.map(named: "syscall_total").u64Counter(forKey: 0) ?? 0 < 1000)
    }

    @Test func detachingStopsCounting() throws {
        var file = try TestObjects.open("syscall_count")
        try file.setRodata("target_pid", to: .uint(UInt64(getpid())))
        let object = try file.load()
        let link = try object.program(named: "count_syscalls").attach()
        makeSyscalls(100)
        try link.detach()
        let total = try object.map(named: "syscall_total")
        let stopped = try #require(try total.u64Counter(forKey: 0))
        makeSyscalls(1000)
        #expect(try total.u64Counter(forKey: 0) == stopped)
    }

    @Test func tracepointLinksCannotBeUpdatedInPlace() throws {
        let first = try TestObjects.load("syscall_count")
        let second = try TestObjects.load("syscall_count")
        let link = try first.program(named: "count_syscalls").attach()
        let error = try #require(throws: BPFError.self) { try link.update(program: second.program(named: "count_syscalls")) }
        #expect(error.code == .update)
        #expect(error.errno == EINVAL || error.errno == EOPNOTSUPP)
    }
}
