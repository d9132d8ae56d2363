import ArgumentParser
import FleetCore

extension ArgumentTransforms {
    static func policyName(_ text: String) throws -> String {
        guard PolicyName.isValid(text) else {
            throw ValidationError("'\(text)' is not a policy name: 1 to \(PolicyName.maximumLength) of a-z, 0-9 and '-', starting and ending with a letter or digit")
        }
        return text
    }

    static func revision(_ text: String) throws -> Int {
        guard let revision = Int(text), revision >= 1 else { throw ValidationError("'\(text)' is not a revision: 1, 2, ...") }
        return revision
    }
}
