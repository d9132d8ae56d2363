import Testing
@testable import FleetKernels
