/// Secrets handed out once: 256 random bits, hex encoded, after a readable prefix naming the kind.
public enum TokenKind: String, Sendable, CaseIterable {
    case api = "fla_"
    case enrollment = "fle_"
    case device = "fld_"
}

public struct TokenSecret: Sendable, Equatable, CustomStringConvertible {
    public let kind: TokenKind
    public let text: String

    /// A fresh secret from the system's CSPRNG.
    public static func generate(_ kind: TokenKind) -> TokenSecret {
        var generator = SystemRandomNumberGenerator()
        let hexDigits = Array("0123456789abcdef")
        var out = kind.rawValue
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0xF)])
        }
        return TokenSecret(kind: kind, text: out)
    }

    /// Recognises a presented secret by its prefix and shape; nil when it cannot be one of ours.
    public init?(parsing text: String) {
        guard let kind = TokenKind.allCases.first(where: { text.hasPrefix($0.rawValue) }) else { return nil }
        let body = text.utf8.dropFirst(4)
        guard body.count == 64, body.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        self.init(kind: kind, text: text)
    }

    private init(kind: TokenKind, text: String) {
        self.kind = kind
        self.text = text
    }

    /// Never prints the secret itself.
    public var description: String { "\(kind.rawValue)…" }

    /// The first characters, kept for people to recognise a token in listings.
    public var displayPrefix: String { String(text.prefix(12)) }
}
