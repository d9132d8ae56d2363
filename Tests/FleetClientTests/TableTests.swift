import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

@Suite struct TableTests {
    @Test func alignsColumnsWithoutTrailingSpaces() {
        let table = Table(headers: ["ID", "NAME", "LABELS"], rows: [["1", "gateway-long-name", ""], ["22", "x", "a=b"]])
        #expect(table.render() == """
            ID   NAME                LABELS
            1    gateway-long-name
            22   x                   a=b

            """)
    }

    @Test func lineBreaksInCellsBecomeSpacesAndMissingCellsAreEmpty() {
        let table = Table(headers: ["A", "B"], rows: [["x\ny"]])
        #expect(table.render() == "A     B\nx y\n")
    }

    @Test func deviceTableShowsPresenceAndSortedLabels() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let id = DeviceID(rawValue: UUID(uuidString: "0B5F6C1E-8D1A-4F5E-9C2B-3A4D5E6F7A8B")!)
        let device = Device(id: id, name: "gw-1", hardwareID: "hw", labels: ["site": "ber", "env": "prod"], status: .active,
                            online: true, lastSeenAt: now.addingTimeInterval(-12), inventory: [:],
                            createdAt: now, updatedAt: now)
        var never = device
        never.online = false
        never.lastSeenAt = nil
        let lines = Table.devices([device, never], now: now).render().split(separator: "\n")
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["ID", "NAME", "STATUS", "ONLINE", "LAST", "SEEN", "LABELS"])
        #expect(lines[1].hasPrefix("0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b   gw-1   active   yes      12s ago     env=prod,site=ber"))
        #expect(lines[2].contains("no       never"))
    }

    @Test func commandTableShowsFirstLineOfError() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let command = Command(id: .random(), deviceID: .random(), type: "program.load", payload: [:], state: .failed, result: nil,
                              error: "verifier rejected program\nR1 invalid mem access", idempotencyKey: nil,
                              createdAt: now.addingTimeInterval(-300), deliveredAt: nil, finishedAt: now.addingTimeInterval(-290),
                              expiresAt: now.addingTimeInterval(3000))
        let row = Table.commands([command], now: now).rows[0]
        #expect(row[1...] == ["program.load", "failed", "5m ago", "4m ago", "verifier rejected program…"])
    }

    @Test func aFinishedCommandShowsNoExpiry() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func command(_ state: CommandState) -> Command {
            Command(id: .random(), deviceID: .random(), type: "executor.ping", payload: [:], state: state, result: nil, error: nil,
                    idempotencyKey: nil, createdAt: now, deliveredAt: nil, finishedAt: nil, expiresAt: now.addingTimeInterval(600))
        }
        #expect(DetailView.command(command(.queued), now: now).fields.map(\.name).contains("EXPIRES"))
        #expect(!DetailView.command(command(.canceled), now: now).fields.map(\.name).contains("EXPIRES"))
    }

    @Test func tokenStateReflectsRevocationAndExpiry() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(Table.tokenState(revokedAt: now, expiresAt: nil, now: now) == "revoked")
        #expect(Table.tokenState(revokedAt: nil, expiresAt: now.addingTimeInterval(-1), now: now) == "expired")
        #expect(Table.tokenState(revokedAt: nil, expiresAt: now.addingTimeInterval(60), now: now) == "active")
    }

    @Test func detailViewIndentsMultiLineValues() {
        let view = DetailView([("ID", "1"), ("ERROR", "line one\nline two")])
        #expect(view.render() == "ID:     1\nERROR:\n  line one\n  line two\n")
    }

    @Test func relativeTimesReadLikeKubectl() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(RelativeTime.describe(now.addingTimeInterval(-45), now: now) == "45s ago")
        #expect(RelativeTime.describe(now.addingTimeInterval(-600), now: now) == "10m ago")
        #expect(RelativeTime.describe(now.addingTimeInterval(-5 * 3600), now: now) == "5h ago")
        #expect(RelativeTime.describe(now.addingTimeInterval(-3 * 86400), now: now) == "3d ago")
        #expect(RelativeTime.describe(now.addingTimeInterval(3 * 3600), now: now) == "in 3h")
        #expect(RelativeTime.describe(now, now: now) == "just now")
    }
}

@Suite struct InventoryLineTests {
    @Test func inventoriesAreSummarisedOnOneLine() {
        let helpers: JSON = ["xdp": .array((0..<40).map { .string("h\($0)") }), "kprobe": .array((0..<150).map { .string("k\($0)") })]
        let inventory: JSON = ["arch": "x86_64", "cpus": 2, "btf": true, "bpf_helpers": helpers,
                               "bpf_program_types": .array((0..<30).map { .string("t\($0)") }), "tags": ["a", "b"]]
        #expect(DetailView.inventory(inventory)
                == #"arch=x86_64 bpf_helpers={kprobe: 150, xdp: 40} bpf_program_types=30 items btf=true cpus=2 tags=["a","b"]"#)
        #expect(DetailView.inventory(["arch": "aarch64"]) == "arch=aarch64")
        #expect(DetailView.inventory([:]) == "{}")
        #expect(DetailView.inventory(["nested": ["a": 1]]) == #"nested={"a":1}"#)
    }
}
