import ArgumentParser
import CCurl
import CJansson
import CLibBPF
import Crypto
import Glibc
import SwiftProtobuf

/// Touches each part of the executor's fixed stack once, as the executor's start-up does, then idles.
struct StackFloor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack-floor",
        abstract: "The executor's fixed stack without Fleet: the size and idle-RSS reference of `make bench`.",
        discussion: "Initialises libcurl, libbpf and jansson, hashes and verifies with swift-crypto, decodes a protobuf message, prints 'ready' and sleeps.")

    @Option(name: .customLong("idle-seconds"), help: "Seconds to sleep after 'ready'.")
    var idleSeconds = 0

    func validate() throws {
        guard idleSeconds >= 0 else { throw ValidationError("--idle-seconds must not be negative") }
    }

    func run() throws {
        guard floor_curl_global_init() == CURLE_OK, let curl = curl_easy_init() else { throw StackFloorError("libcurl initialisation failed") }
        defer { curl_easy_cleanup(curl) }
        guard floor_curl_set_str(curl, CURLOPT_URL, "http://127.0.0.1/") == CURLE_OK else { throw StackFloorError("curl_easy_setopt failed") }

        guard libbpf_major_version() >= 1 else { throw StackFloorError("libbpf older than 1.0") }

        guard let object = json_object() else { throw StackFloorError("json_object failed") }
        defer { json_decref(object) }
        guard json_object_set_new(object, "ready", json_true()) == 0, let text = json_dumps(object, 0) else {
            throw StackFloorError("jansson could not build an object")
        }
        free(text)

        let bytes = Array("fleet stack floor".utf8)
        let digest = SHA256.hash(data: bytes)
        let key = Curve25519.Signing.PrivateKey()
        let signature = try key.signature(for: Array(digest))
        guard key.publicKey.isValidSignature(signature, for: Array(digest)) else { throw StackFloorError("Ed25519 verification failed") }

        // seconds = 42, nanos = 5
        let duration = try Google_Protobuf_Duration(serializedBytes: [0x08, 0x2A, 0x10, 0x05] as [UInt8])
        guard duration.seconds == 42 && duration.nanos == 5 else { throw StackFloorError("protobuf decoded the wrong value") }

        print("ready")
        fflush(nil)
        var left = timespec(tv_sec: idleSeconds, tv_nsec: 0)
        while left.tv_sec > 0 || left.tv_nsec > 0 {
            var rest = timespec()
            if nanosleep(&left, &rest) == 0 { break }
            guard errno == EINTR else { throw StackFloorError("nanosleep failed: errno \(errno)") }
            left = rest
        }
    }
}

struct StackFloorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

StackFloor.main()
