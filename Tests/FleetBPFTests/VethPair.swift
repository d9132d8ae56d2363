import Foundation

/// A veth pair whose peer lives in its own network namespace; deleted with the namespace on release.
final class VethPair {
    let namespace: String
    let hostInterface: String
    let hostAddress: String
    let peerAddress: String

    init() throws {
        let suffix = String(TestObjects.uniqueSuffix().prefix(6))
        namespace = "fleetbpf-\(suffix)"
        hostInterface = "fb\(suffix)h"
        let peer = "fb\(suffix)p"
        let subnet = Int.random(in: 0...255)
        hostAddress = "10.231.\(subnet).1"
        peerAddress = "10.231.\(subnet).2"
        try Shell.check(["ip", "netns", "add", namespace])
        do {
            try Shell.check(["ip", "link", "add", hostInterface, "type", "veth", "peer", "name", peer])
            try Shell.check(["ip", "link", "set", peer, "netns", namespace])
            try Shell.check(["ip", "addr", "add", "\(hostAddress)/30", "dev", hostInterface])
            try Shell.check(["ip", "link", "set", hostInterface, "up"])
            try Shell.check(["ip", "-n", namespace, "addr", "add", "\(peerAddress)/30", "dev", peer])
            try Shell.check(["ip", "-n", namespace, "link", "set", peer, "up"])
            try Shell.check(["ip", "-n", namespace, "link", "set", "lo", "up"])
        } catch {
            tearDown()
            throw error
        }
    }

    deinit {
        tearDown()
    }

    /// Sends `count` UDP datagrams from the namespace to the host side of the pair.
    func sendUDPToHost(count: Int) throws {
        let script = "for i in $(seq \(count)); do echo fleet > /dev/udp/\(hostAddress)/9; done"
        try Shell.check(["ip", "netns", "exec", namespace, "bash", "-c", script])
    }

    private func tearDown() {
        Shell.run(["ip", "link", "del", hostInterface])
        Shell.run(["ip", "netns", "del", namespace])
    }
}
