import ArgumentParser
import FleetClient
import FleetCore
import FleetJSON
import Foundation

/// Turns argument text into typed values, with messages ArgumentParser shows next to the usage.
enum ArgumentTransforms {
    static func id<ID: UUIDIdentifier>(_ text: String) throws -> ID {
        guard let id = ID(text) else { throw ValidationError("'\(text)' is not an ID (a UUID such as 0b5f6c1e-8d1a-4f5e-9c2b-3a4d5e6f7a8b)") }
        return id
    }

    /// A device's ID or name; see `DeviceReference`.
    static func device(_ text: String) throws -> DeviceReference {
        guard let reference = DeviceReference(text) else { throw ValidationError("give a device's name or ID") }
        return reference
    }

    static func commandID(_ text: String) throws -> CommandID { try id(text) }
    static func tokenID(_ text: String) throws -> TokenID { try id(text) }
    static func enrollmentTokenID(_ text: String) throws -> EnrollmentTokenID { try id(text) }
    static func programID(_ text: String) throws -> RegisteredProgram.ID { try id(text) }

    static func aggregation(_ text: String) throws -> MetricAggregation {
        guard let aggregation = MetricAggregation(rawValue: text) else {
            throw ValidationError("unknown aggregation '\(text)': use \(MetricAggregation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return aggregation
    }

    static func duration(_ text: String) throws -> Duration {
        do { return try DurationText.parse(text) } catch let error as DurationText.ParseError { throw ValidationError(error.description) }
    }

    static func seconds(_ text: String) throws -> Int {
        do { return try DurationText.parseSeconds(text) } catch let error as DurationText.ParseError { throw ValidationError(error.description) }
    }

    static func selector(_ text: String) throws -> LabelSelector {
        do { return try LabelSelector(parsing: text) } catch let error as LabelSelectorError { throw ValidationError(error.description) }
    }

    static func deviceStatus(_ text: String) throws -> DeviceStatus {
        guard let status = DeviceStatus(rawValue: text) else {
            throw ValidationError("unknown status '\(text)': use \(DeviceStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    static func commandState(_ text: String) throws -> CommandState {
        guard let state = CommandState(rawValue: text) else {
            throw ValidationError("unknown state '\(text)': use \(CommandState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return state
    }

    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text), role != .device else { throw ValidationError("unknown role '\(text)': use admin, operator or viewer") }
        return role
    }

    static func onOff(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw ValidationError("'\(text)' is not true or false")
        }
    }

    /// JSON text, `@FILE` to read a file, or `@-` to read stdin.
    static func jsonDocument(_ text: String, option: String) throws -> JSON {
        var bytes = Array(text.utf8)
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
            guard let data else { throw ValidationError("\(option): cannot read \(path)") }
            bytes = [UInt8](data)
        }
        do { return try JSON.parse(bytes) } catch let error as JSONError { throw ValidationError("\(option) is not valid JSON: \(error)") }
    }
}
