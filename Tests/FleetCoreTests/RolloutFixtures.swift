import Foundation
import FleetJSON
@testable import FleetCore

/// Devices, times and machines for the rollout tests.
enum RolloutFixture {
    static let epoch = Date(timeIntervalSince1970: 1_764_400_000)

    /// The time `seconds` after the fixture's epoch.
    static func at(_ seconds: Double) -> Date { epoch.addingTimeInterval(seconds) }

    /// A device whose id ends in `number`, so that failures name it readably.
    static func device(_ number: Int) -> DeviceID {
        let digits = String(number)
        return DeviceID("00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits)!
    }

    static func devices(_ count: Int) -> [DeviceID] { (0..<count).map(device) }

    static func strategy(_ text: String) throws -> RolloutStrategy {
        try RolloutStrategy(json: JSON.parse(text), path: "")
    }

    static func machine(_ strategyText: String, targets: Int, kind: RolloutKind = .policy) throws -> RolloutMachine {
        RolloutMachine(kind: kind, strategy: try strategy(strategyText), targets: devices(targets))
    }

    static func series(_ device: Int, _ values: [Double], every seconds: Double = 10, from start: Double = 0) -> GateSeries {
        GateSeries(device: self.device(device),
                     points: values.enumerated().map { GateSeries.Point(at: at(start + Double($0) * seconds), value: $1) })
    }
}

extension RolloutMachine {
    /// Feeds one result per device at `second`, returning every action.
    mutating func report(_ report: DeviceReport, _ devices: [DeviceID], at second: Double) -> [Action] {
        devices.flatMap { next(.device($0, report), now: RolloutFixture.at(second)) }
    }

    /// The gate request of the last `evaluateGates` in `actions`.
    static func gateRequest(in actions: [Action]) -> GateRequest? {
        actions.lazy.compactMap { if case .evaluateGates(let request) = $0 { request } else { nil } }.last
    }
}
