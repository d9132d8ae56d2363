import Crypto
import FleetCrypto
import XCTest

final class SHA512Tests: XCTestCase {
    /// FIPS 180-2 appendix C and the NIST example messages.
    func testKnownAnswers() {
        let cases: [(message: [UInt8], digest: String)] = [
            (
                [],
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                    + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
            ),
            (
                Array("abc".utf8),
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                    + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
            ),
            (
                Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
                "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                    + "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"
            ),
            (
                Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                    + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8),
                "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
                    + "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
            ),
        ]
        for (message, digest) in cases {
            XCTAssertEqual(hexString(FleetCrypto.SHA512.hash(message)), digest, "\(message.count)-byte message")
        }
    }

    func testOneMillionLetterA() {
        XCTAssertEqual(
            hexString(FleetCrypto.SHA512.hash([UInt8](repeating: 0x61, count: 1_000_000))),
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                + "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"
        )
    }

    func testStreamingMatchesOneShotAtEverySplit() {
        var generator = SeededGenerator(seed: 512)
        let message = generator.bytes(400)
        let expected = FleetCrypto.SHA512.hash(message)
        for split in 0...message.count {
            var hasher = FleetCrypto.SHA512()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            XCTAssertEqual(hasher.finalize(), expected, "split at \(split)")
        }
    }

    func testRandomInputsMatchSwiftCrypto() {
        var generator = SeededGenerator(seed: 513)
        var lengths = Array(0...300)
        lengths += (0..<20).map { _ in Int.random(in: 301...20_000, using: &generator) }
        for length in lengths {
            let message = generator.bytes(length)
            XCTAssertEqual(
                FleetCrypto.SHA512.hash(message), Array(Crypto.SHA512.hash(data: message)), "\(length) bytes"
            )
            XCTAssertEqual(
                FleetCrypto.SHA512.hash(message.lazy.map { $0 }), Array(Crypto.SHA512.hash(data: message)),
                "\(length) bytes, discontiguous"
            )
        }
    }
}
