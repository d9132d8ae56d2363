import Crypto
import FleetCrypto
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-2 appendix B and the NIST example messages.
    func testKnownAnswers() {
        let cases: [(message: [UInt8], digest: String)] = [
            ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
            (
                Array(("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                    + "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu").utf8),
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
            ),
        ]
        for (message, digest) in cases {
            XCTAssertEqual(hexString(FleetCrypto.SHA256.hash(message)), digest, "\(message.count)-byte message")
        }
    }

    func testOneMillionLetterA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        XCTAssertEqual(hexString(FleetCrypto.SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))), expected)

        // The same million bytes fed in uneven pieces.
        var hasher = FleetCrypto.SHA256()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            hasher.update([UInt8](repeating: 0x61, count: count))
            remaining -= count
            piece = piece * 3 % 1000 + 1
        }
        XCTAssertEqual(hexString(hasher.finalize()), expected)
    }

    func testStreamingMatchesOneShotAtEverySplit() {
        var generator = SeededGenerator(seed: 256)
        let message = generator.bytes(300)
        let expected = FleetCrypto.SHA256.hash(message)
        for split in 0...message.count {
            var hasher = FleetCrypto.SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            XCTAssertEqual(hasher.finalize(), expected, "split at \(split)")
        }
        // Three pieces, the middle one crossing block boundaries.
        for first in stride(from: 0, through: 200, by: 7) {
            for second in stride(from: first, through: 300, by: 13) {
                var hasher = FleetCrypto.SHA256()
                hasher.update(message[..<first])
                hasher.update(message[first..<second])
                hasher.update(message[second...])
                XCTAssertEqual(hasher.finalize(), expected, "splits at \(first) and \(second)")
            }
        }
    }

    func testDiscontiguousCollectionsHashLikeArrays() {
        var generator = SeededGenerator(seed: 257)
        for count in [0, 1, 55, 56, 63, 64, 65, 511, 512, 513, 1500] {
            let message = generator.bytes(count)
            let lazyCopy = message.lazy.map { $0 }  // has no contiguous storage
            XCTAssertEqual(FleetCrypto.SHA256.hash(lazyCopy), FleetCrypto.SHA256.hash(message), "\(count) bytes")
            XCTAssertEqual(FleetCrypto.SHA256.hash(lazyCopy), Array(Crypto.SHA256.hash(data: message)), "\(count) bytes")
        }
    }

    func testRandomInputsMatchSwiftCrypto() {
        var generator = SeededGenerator(seed: 258)
        var lengths = Array(0...200)
        lengths += (0..<40).map { _ in Int.random(in: 201...20_000, using: &generator) }
        for length in lengths {
            let message = generator.bytes(length)
            XCTAssertEqual(
                FleetCrypto.SHA256.hash(message), Array(Crypto.SHA256.hash(data: message)), "\(length) bytes"
            )
            // Streamed in random pieces.
            var hasher = FleetCrypto.SHA256()
            var offset = 0
            while offset < length {
                let end = min(length, offset + Int.random(in: 1...150, using: &generator))
                hasher.update(message[offset..<end])
                offset = end
            }
            XCTAssertEqual(hasher.finalize(), Array(Crypto.SHA256.hash(data: message)), "\(length) bytes streamed")
        }
    }

    func testFinalizeLeavesACopyUsable() {
        var hasher = FleetCrypto.SHA256()
        hasher.update(Array("ab".utf8))
        let snapshot = hasher
        hasher.update(Array("c".utf8))
        XCTAssertEqual(hexString(snapshot.finalize()), hexString(FleetCrypto.SHA256.hash(Array("ab".utf8))))
        XCTAssertEqual(
            hexString(hasher.finalize()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }
}
