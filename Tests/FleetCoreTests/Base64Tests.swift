import Testing
import FoundationEssentials
@testable import FleetCore

@Suite struct Base64Tests {
    @Test func rfc4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
            #expect(Base64.decode(encoded.replacing("=", with: "")) == Array(plain.utf8))
        }
    }

    @Test func agreesWithFoundationOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let reference = Data(bytes).base64EncodedString()
            #expect(Base64.encode(bytes) == reference)
            #expect(Base64.decode(reference) == bytes)
            let url = Base64.encode(bytes, urlSafe: true, padding: false)
            #expect(!url.contains("+") && !url.contains("/") && !url.contains("="))
            #expect(Base64.decode(url) == bytes)
        }
    }

    @Test func refusesWhatIsNotBase64() {
        for text in ["Zg=", "Zg===", "Z", "Zm9v\n", " Zm9v", "Zm9v!", "Zh==", "Zm9=", "=Zm9", "Zm=v"] {
            #expect(Base64.decode(text) == nil, "\(text)")
        }
    }
}
