import Testing
@testable import FleetInference
