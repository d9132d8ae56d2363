import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

/// Listings print devices without their inventory unless it is asked for.
@Suite struct ListedDeviceTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let device = Device(
        id: DeviceID("0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b")!, name: "gw-1", hardwareID: "hw-1", labels: ["env": "prod"], status: .active,
        online: true, lastSeenAt: now, inventory: ["arch": "arm64", "bpf_helpers": ["xdp": ["bpf_map_lookup_elem", "bpf_redirect"]]],
        createdAt: now, updatedAt: now)

    @Test func listingLeavesTheInventoryOutAndKeepsTheRest() throws {
        var expected = try #require(Self.device.json.objectValue)
        expected["inventory"] = nil
        #expect(ListedDevice(Self.device, includesInventory: false).json == .object(expected))
        let page = ListPage(items: [ListedDevice(Self.device, includesInventory: false)], nextCursor: nil)
        let yaml = YAMLRenderer.render(page.json)
        #expect(!yaml.contains("inventory") && !yaml.contains("bpf_redirect"), "\(yaml)")
        #expect(yaml.contains("hardware_id: hw-1"))
    }

    @Test func showInventoryKeepsTheWholeDevice() {
        #expect(ListedDevice(Self.device, includesInventory: true).json == Self.device.json)
        let page = ListPage(items: [ListedDevice(Self.device, includesInventory: true)], nextCursor: nil)
        #expect(page.json.prettyPrinted().contains("bpf_redirect"))
    }
}
