/// A Kubernetes-style label selector: requirements joined by commas, all of which must hold.
///
/// Grammar: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (does not exist).
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Requirement: Sendable, Hashable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, [String])
        case notIn(String, [String])
        case exists(String)
        case doesNotExist(String)
    }

    public let requirements: [Requirement]

    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses selector text; an empty string selects everything.
    /// - Throws: `LabelSelectorError` naming the position and what was expected.
    public init(parsing text: String) throws {
        var parser = Parser(Array(text.unicodeScalars))
        requirements = try parser.parseAll()
    }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): labels[k] == v
            case .notEquals(let k, let v): labels[k] != v
            case .isIn(let k, let values): labels[k].map(values.contains) ?? false
            case .notIn(let k, let values): !(labels[k].map(values.contains) ?? false)
            case .exists(let k): labels[k] != nil
            case .doesNotExist(let k): labels[k] == nil
            }
        }
    }

    public var description: String {
        requirements.map { requirement in
            switch requirement {
            case .equals(let k, let v): "\(k)=\(v)"
            case .notEquals(let k, let v): "\(k)!=\(v)"
            case .isIn(let k, let values): "\(k) in (\(values.joined(separator: ",")))"
            case .notIn(let k, let values): "\(k) notin (\(values.joined(separator: ",")))"
            case .exists(let k): k
            case .doesNotExist(let k): "!\(k)"
            }
        }.joined(separator: ",")
    }
}

public struct LabelSelectorError: Error, CustomStringConvertible, Sendable, Equatable {
    public let position: Int
    public let message: String
    public var description: String { "invalid selector at position \(position + 1): \(message)" }
}

extension LabelSelector {
    fileprivate struct Parser {
        let input: [Unicode.Scalar]
        var index = 0

        init(_ input: [Unicode.Scalar]) { self.input = input }

        func fail(_ message: String) -> LabelSelectorError { LabelSelectorError(position: index, message: message) }

        mutating func skipSpaces() { while index < input.count, input[index] == " " || input[index] == "\t" { index += 1 } }

        func peek() -> Unicode.Scalar? { index < input.count ? input[index] : nil }

        static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
            s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "." || s == "/"
        }

        mutating func word() -> String {
            var out = String.UnicodeScalarView()
            while let s = peek(), Self.isWordScalar(s) { out.append(s); index += 1 }
            return String(out)
        }

        mutating func key() throws -> String {
            skipSpaces()
            let start = index
            let k = word()
            guard !k.isEmpty else { throw fail("expected a label key") }
            guard Labels.isValidKey(k) else { throw LabelSelectorError(position: start, message: "invalid label key '\(k)'") }
            return k
        }

        mutating func value() throws -> String {
            skipSpaces()
            let start = index
            let v = word()
            guard Labels.isValidValue(v) else { throw LabelSelectorError(position: start, message: "invalid label value '\(v)'") }
            return v
        }

        mutating func valueSet() throws -> [String] {
            skipSpaces()
            guard peek() == "(" else { throw fail("expected '(' to start a value list") }
            index += 1
            var values: [String] = []
            while true {
                skipSpaces()
                let start = index
                let next = try value()
                guard !next.isEmpty else { throw LabelSelectorError(position: start, message: "expected a value in the list") }
                values.append(next)
                skipSpaces()
                switch peek() {
                case ",": index += 1
                case ")": index += 1; return values
                default: throw fail("expected ',' or ')' in value list")
                }
            }
        }

        mutating func requirement() throws -> Requirement {
            skipSpaces()
            if peek() == "!" {
                index += 1
                return .doesNotExist(try key())
            }
            let k = try key()
            skipSpaces()
            switch peek() {
            case nil, ",":
                return .exists(k)
            case "=":
                index += 1
                if peek() == "=" { index += 1 }
                return .equals(k, try value())
            case "!":
                index += 1
                guard peek() == "=" else { throw fail("expected '=' after '!'") }
                index += 1
                return .notEquals(k, try value())
            default:
                let start = index
                let op = word()
                switch op {
                case "in": return .isIn(k, try valueSet())
                case "notin": return .notIn(k, try valueSet())
                default: throw LabelSelectorError(position: start, message: "expected '=', '!=', 'in' or 'notin' after '\(k)'")
                }
            }
        }

        mutating func parseAll() throws -> [Requirement] {
            skipSpaces()
            if index == input.count { return [] }
            var result: [Requirement] = []
            while true {
                result.append(try requirement())
                skipSpaces()
                guard let next = peek() else { return result }
                guard next == "," else { throw fail("expected ',' between requirements") }
                index += 1
            }
        }
    }
}
