import FleetBPF
import FleetJSON

/// Which maps a replacement object takes over from the deployment it replaces (`program.replace`).
///
/// A map of the new object reuses the old deployment's kernel map of the same name, exported or not,
/// when both have the same layout (type, key size, value size, maximum entries): counters continue
/// instead of restarting at 0. With another layout the map starts fresh and is reported as reset.
/// libbpf's internal maps (`.rodata`, `.bss`, `.data`, `.kconfig`, named `<object>.<section>`) are never
/// carried: they hold the new code's constants and globals. Maps only one side has are neither.
struct ProgramMapCarryOver: Equatable, Sendable {
    /// Maps that keep the old kernel map, sorted by name.
    let carried: [String]
    /// Maps present on both sides whose layouts differ, sorted by name.
    let reset: [String]

    /// - Parameters:
    ///   - old: the old deployment's maps (as loaded or adopted from its pins), by name.
    ///   - new: the new object's maps before load, by name, internal ones included.
    init(old: [String: BPFMapLayout], new: [String: BPFMapLayout]) {
        var carried: [String] = []
        var reset: [String] = []
        for (name, layout) in new where !Self.isInternal(name) {
            guard let previous = old[name] else { continue }
            if previous == layout { carried.append(name) } else { reset.append(name) }
        }
        self.carried = carried.sorted()
        self.reset = reset.sorted()
    }

    /// libbpf names its internal maps after the object and section (`syscall.rodata`); C names have no dot.
    static func isInternal(_ name: String) -> Bool {
        name.contains(".")
    }

    /// `maps_carried_over` and `maps_reset` of a `program.replace` result.
    var resultMembers: [String: JSON] {
        ["maps_carried_over": .array(carried.map { .string($0) }), "maps_reset": .array(reset.map { .string($0) })]
    }
}
