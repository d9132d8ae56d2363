import Foundation
import FleetPostgres
import Synchronization
import Testing

/// Collects a listener's callbacks for assertions.
final class ListenerProbe: Sendable {
    let notifications = Mutex<[String]>([])
    let reconnects = Mutex(0)

    func listener(conninfo: String, channels: [String]) -> PostgresListener {
        PostgresListener(conninfo: conninfo, channels: channels,
                         onNotification: { channel, payload in self.notifications.withLock { $0.append("\(channel):\(payload)") } },
                         onReconnect: { self.reconnects.withLock { $0 += 1 } })
    }

    func received(_ entry: String) -> Bool { notifications.withLock { $0.contains(entry) } }
    var reconnectCount: Int { reconnects.withLock { $0 } }
}

@Suite struct PostgresListenerTests {
    @Test func notificationsArriveOnEveryChannel() throws {
        let conninfo = try TestCluster.shared.get().conninfo()
        let probe = ListenerProbe()
        let listener = probe.listener(conninfo: conninfo, channels: ["fleet_events", "Mixed \"Case\""])
        listener.start()
        defer { listener.stop() }
        #expect(TestCluster.eventually { probe.reconnectCount == 1 })
        let connection = try PostgresConnection(conninfo: conninfo)
        try connection.query("SELECT pg_notify(\("fleet_events"), \("it's {\"json\"}"))")
        try connection.query("SELECT pg_notify(\("Mixed \"Case\""), \("second"))")
        try connection.query("SELECT pg_notify(\("other"), \("ignored"))")
        #expect(TestCluster.eventually { probe.received("fleet_events:it's {\"json\"}") && probe.received("Mixed \"Case\":second") })
        #expect(!probe.received("other:ignored"))
    }

    @Test func stopEndsTheThreadEvenWhileTheServerIsUnreachable() {
        let probe = ListenerProbe()
        let listener = probe.listener(conninfo: "host=/nonexistent-socket-dir port=1 user=fleet dbname=fleet", channels: ["x"])
        listener.start()
        Thread.sleep(forTimeInterval: 0.3)
        let started = Date()
        listener.stop()
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(probe.reconnectCount == 0)
    }
}
