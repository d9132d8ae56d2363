import Foundation
import FleetClient
import FleetJSON
import FleetPostgres
import Testing
@testable import FleetServer

// The eBPF program registry: multipart uploads streamed to validation and chunked storage, downloads with
// ETag and Range, roles, and the delete rule. Objects are compiled in the test with `clang -target bpf`.

/// eBPF objects built for the tests, and other files they upload.
enum ProgramFixtures {
    static let directory: URL = {
        let url = URL(fileURLWithPath: "/tmp/fleet-tests-\(getpid())/programs-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// What the test programs' C sources start with: libbpf's section and map-definition macros, without headers.
    static let cPrelude = """
        #define SEC(name) __attribute__((section(name), used))
        #define __uint(name, val) int (*name)[val]
        #define __type(name, val) typeof(val) *name
        typedef unsigned int __u32;
        typedef unsigned long long __u64;

        """

    /// A tracepoint program `count_getpid` with an array map `counts` and a ring buffer `events`.
    static let counterSource = cPrelude + """
        struct { __uint(type, 2); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
        struct { __uint(type, 27); __uint(max_entries, 4096); } events SEC(".maps");
        static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
        SEC("tracepoint/syscalls/sys_enter_getpid")
        int count_getpid(void *ctx) {
            __u32 key = 0;
            __u64 *value = bpf_map_lookup_elem(&counts, &key);
            if (value) __sync_fetch_and_add(value, 1);
            return 0;
        }
        char LICENSE[] SEC("license") = "GPL";
        """

    /// `VARIANT` changes the bytes (and so the digest) without changing the programs and maps.
    static func counterObject(variant: Int = 0) throws -> URL {
        try compile(counterSource.replacingOccurrences(of: "return 0;", with: "return \(variant);"), name: "counter-\(variant)")
    }

    /// An object with data but no program section.
    static func dataOnlyObject() throws -> URL {
        try compile("int answer __attribute__((section(\".data\"), used)) = 42;\n", name: "data-only")
    }

    /// The counter compiled for the host (clang's default target) rather than for BPF: a relocatable ELF of another machine.
    static func hostObject() throws -> URL {
        try compile(counterSource, name: "host", target: nil)
    }

    /// A program in a section libbpf does not recognise as any program type.
    static func unknownSectionObject() throws -> URL {
        try compile(cPrelude + "SEC(\"fleet/custom\") int custom(void *ctx) { return 0; }\n", name: "unknown-section")
    }

    /// The counter with its first BTF type, a pointer, pointing at a type that does not exist.
    static func corruptBTFObject() throws -> URL {
        var bytes = [UInt8](try Data(contentsOf: try counterObject()))
        let header: [UInt8] = [0x9f, 0xeb, 1, 0, 24, 0, 0, 0]  // .BTF: magic 0xeB9F, version 1, a 24-byte header
        let start = try #require((0..<(bytes.count - header.count)).first { bytes[$0..<$0 + header.count].elementsEqual(header) })
        let first = start + 24 + (0..<4).reduce(0) { $0 | Int(bytes[start + 8 + $1]) << (8 * $1) }
        try #require(bytes[first + 7] & 0x1f == 2, "the counter's first BTF type is a pointer")
        bytes.replaceSubrange(first + 8..<first + 12, with: [0xff, 0xff, 0xff, 0])
        return try file(named: "corrupt-btf", bytes: bytes)
    }

    static func compile(_ source: String, name: String, target: String? = "bpf") throws -> URL {
        let unique = "\(name)-\(UUID().uuidString.prefix(8))"
        let sourceURL = directory.appendingPathComponent("\(unique).c")
        let objectURL = directory.appendingPathComponent("\(unique).o")
        try source.write(to: sourceURL, atomically: true, encoding: .utf8)
        let targetArguments = target.map { ["-target", $0] } ?? []
        let result = try run(clang, targetArguments + ["-O2", "-g", "-c", sourceURL.path, "-o", objectURL.path])
        try #require(result.status == 0, "clang \(targetArguments.joined(separator: " ")) failed: \(result.errors)")
        return objectURL
    }

    static var clang: String {
        FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/clang") ? "/opt/swift/usr/bin/clang" : "/usr/bin/clang"
    }

    static var objcopy: String {
        FileManager.default.isExecutableFile(atPath: "/opt/swift/usr/bin/llvm-objcopy") ? "/opt/swift/usr/bin/llvm-objcopy" : "/usr/bin/llvm-objcopy"
    }

    static func file(named name: String, bytes: [UInt8]) throws -> URL {
        let url = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try Data(bytes).write(to: url)
        return url
    }

    static func sha256(of url: URL) throws -> String {
        let result = try run("/usr/bin/sha256sum", [url.path])
        return String(result.output.prefix(64))
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}

/// A form field for `curl -F`.
enum FormField {
    case text(String, String)
    case file(String, URL)
}

/// Uploads with the curl command-line client (`-F`, streamed from disk), as an operator would.
func curlUpload(base: String, path: String = "/v1/programs", token: String?, _ fields: [FormField], timeout: Int = 120) throws -> TestServer.Answer {
    let headersFile = ProgramFixtures.directory.appendingPathComponent("headers-\(UUID().uuidString)")
    let bodyFile = ProgramFixtures.directory.appendingPathComponent("body-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: headersFile)
        try? FileManager.default.removeItem(at: bodyFile)
    }
    var arguments = ["-sS", "--max-time", String(timeout), "-D", headersFile.path, "-o", bodyFile.path, "-w", "%{http_code}"]
    if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
    for field in fields {
        switch field {
        case .text(let name, let value): arguments += ["--form-string", "\(name)=\(value)"]
        case .file(let name, let url): arguments += ["-F", "\(name)=@\(url.path);type=application/octet-stream"]
        }
    }
    arguments.append(base + path)
    let result = try ProgramFixtures.run("/usr/bin/curl", arguments)
    let status = Int(result.output) ?? 0
    let headerText = (try? String(contentsOf: headersFile, encoding: .utf8)) ?? ""
    let headers: [(name: String, value: String)] = headerText.components(separatedBy: "\r\n").compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    let body = (try? Data(contentsOf: bodyFile)).map { [UInt8]($0) } ?? []
    return TestServer.Answer(status: status, headers: headers, body: body)
}

/// A `multipart/form-data` body built by hand, for bodies curl would never send.
func multipartBody(boundary: String, _ parts: [(name: String, filename: String?, bytes: [UInt8])], closed: Bool = true) -> [UInt8] {
    var body: [UInt8] = []
    for part in parts {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
        if let filename = part.filename { head += "; filename=\"\(filename)\"" }
        head += "\r\n\r\n"
        body += Array(head.utf8) + part.bytes + Array("\r\n".utf8)
    }
    if closed { body += Array("--\(boundary)--\r\n".utf8) }
    return body
}

extension TestServer {
    func uploadProgram(name: String, version: String, object: URL, manifest: String? = nil, signature: String? = nil,
                       token: String? = nil) throws -> Answer {
        var fields: [FormField] = [.text("name", name), .text("version", version), .file("object", object)]
        if let manifest { fields.append(.text("manifest", manifest)) }
        if let signature { fields.append(.text("signature", signature)) }
        return try curlUpload(base: base, token: token ?? adminToken, fields)
    }

    /// Uploads a valid counter object and returns the program JSON.
    func registeredProgram(name: String = "counter-\(UUID().uuidString.prefix(6))", version: String = "1.0.0", variant: Int = 0) throws -> JSON {
        let answer = try uploadProgram(name: name, version: version, object: try ProgramFixtures.counterObject(variant: variant))
        try #require(answer.status == 201, "upload: \(answer)")
        return answer.json
    }

    /// Queues a command for `device`, lets the device take it and report `state`.
    func runCommand(on device: EnrolledDevice, type: String, payload: JSON, state: String = "succeeded") throws {
        let command = try queuedCommand(for: device.id, type: type, extra: ["payload": payload])
        let polled = try call("GET", "/v1/executor/commands?wait=0", token: device.token)
        try #require(polled.itemIDs.contains(command), "\(polled)")
        let reported = try call("POST", "/v1/executor/commands/\(command)/status", token: device.token, json: ["state": .string(state)])
        try #require(reported.status == 200, "\(reported)")
    }
}

@Suite struct ProgramRegistryTests {
    static let manifest = """
        {"programs": [{"name": "count_getpid", "attach": {"type": "tracepoint", "target": "syscalls/sys_enter_getpid"}}],
         "maps": [{"name": "counts", "kind": "counter", "metric": "getpid_total"}],
         "ringbufs": [{"name": "events", "metric": "getpid_events", "max_per_second": 100}]}
        """

    @Test func uploadedProgramIsSummarisedListedAndDownloadedByteForByte() throws {
        let server = try TestServer()
        let object = try ProgramFixtures.counterObject()
        let digest = try ProgramFixtures.sha256(of: object)
        let size = try Data(contentsOf: object).count
        let answer = try server.uploadProgram(name: "getpid-counter", version: "1.2.0", object: object, manifest: Self.manifest)
        try #require(answer.status == 201, "\(answer)")
        let program = answer.json
        let id = try #require(program["id"]?.stringValue)
        #expect(program["name"] == "getpid-counter")
        #expect(program["version"] == "1.2.0")
        #expect(program["sha256"]?.stringValue == digest)
        #expect(program["size"]?.int64Value == Int64(size))
        #expect(program["signed"] == false)
        #expect(program["signature"] == .null)
        #expect(program["programs"] == [["name": "count_getpid", "section": "tracepoint/syscalls/sys_enter_getpid", "type": "tracepoint"]])
        #expect(program["maps"] == [["name": "counts", "section": ".maps"], ["name": "events", "section": ".maps"]])
        #expect(program["manifest"]?["maps"]?.arrayValue?.first?["metric"] == "getpid_total")
        #expect(program["created_at"]?.stringValue != nil)

        let fetched = try server.call("GET", "/v1/programs/\(id)", token: server.adminToken)
        #expect(fetched.status == 200)
        #expect(fetched.json == program)

        let other = try server.registeredProgram(name: "other", version: "1", variant: 1)
        let named = try server.call("GET", "/v1/programs?name=getpid-counter", token: server.adminToken)
        #expect(named.itemIDs == [id])
        let firstPage = try server.call("GET", "/v1/programs?limit=1", token: server.adminToken)
        #expect(firstPage.itemIDs == [id])
        let cursor = try #require(firstPage.json["next_cursor"]?.stringValue)
        let secondPage = try server.call("GET", "/v1/programs?limit=1&cursor=\(cursor)", token: server.adminToken)
        #expect(secondPage.itemIDs == [other["id"]?.stringValue].compactMap { $0 })
        #expect(secondPage.json["next_cursor"] == .null)

        let download = try server.call("GET", "/v1/programs/\(id)/object", token: server.adminToken)
        #expect(download.status == 200)
        #expect(download.body == [UInt8](try Data(contentsOf: object)))
        #expect(download.header("ETag") == "\"\(digest)\"")
        #expect(download.header("Content-Disposition") == "attachment; filename=\"getpid-counter-1.2.0.o\"")

        let audit = try server.call("GET", "/v1/audit", token: server.adminToken)
        #expect(audit.items.contains { $0["action"] == "program.create" && $0["target_id"]?.stringValue == id })
    }

    @Test func signatureIsStoredAndVerifiesAgainstTheObjectDigest() throws {
        let server = try TestServer()
        let object = try ProgramFixtures.counterObject(variant: 7)
        let key = ProgramFixtures.directory.appendingPathComponent("key-\(UUID().uuidString).pem")
        let digestFile = ProgramFixtures.directory.appendingPathComponent("digest-\(UUID().uuidString)")
        try #require(try ProgramFixtures.run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out", key.path]).status == 0)
        try #require(try ProgramFixtures.run("/usr/bin/openssl", ["dgst", "-sha256", "-binary", "-out", digestFile.path, object.path]).status == 0)
        let signed = try ProgramFixtures.run("/bin/sh", ["-c", "openssl pkeyutl -sign -rawin -inkey '\(key.path)' -in '\(digestFile.path)' | base64 -w0"])
        try #require(signed.status == 0 && !signed.output.isEmpty, "\(signed.errors)")

        let answer = try server.uploadProgram(name: "signed", version: "1", object: object, signature: signed.output)
        try #require(answer.status == 201, "\(answer)")
        #expect(answer.json["signed"] == true)
        let stored = try #require(answer.json["signature"]?.stringValue)
        #expect(Data(base64Encoded: stored) == Data(base64Encoded: signed.output))

        // What an executor does: hash what it downloaded and check the signature with the trusted public key.
        let signature = try ProgramSignature(base64: stored)
        let downloaded = try server.call("GET", "/v1/programs/\(answer.json["id"]!.stringValue!)/object", token: server.adminToken)
        let digest = try #require(ArtifactDigest(hex: try ProgramFixtures.sha256(of: try ProgramFixtures.file(named: "dl", bytes: downloaded.body))))
        let publicKeyFile = ProgramFixtures.directory.appendingPathComponent("pub-\(UUID().uuidString).der")
        try #require(try ProgramFixtures.run("/usr/bin/openssl", ["pkey", "-in", key.path, "-pubout", "-outform", "DER", "-out", publicKeyFile.path]).status == 0)
        let publicKey = try ed25519PublicKey(derFile: publicKeyFile)
        #expect(signature.verifies(digest: digest.bytes, publicKey: publicKey))
        var tampered = digest.bytes
        tampered[0] ^= 1
        #expect(!signature.verifies(digest: tampered, publicKey: publicKey))

        let bad = try server.uploadProgram(name: "signed", version: "2", object: object, signature: "bm90LWEtc2lnbmF0dXJl")
        expectProblem(bad, 400, "a signature that is not 64 bytes")
    }

    @Test func executorFetchesArtifactsWithETagAndRanges() throws {
        let server = try TestServer()
        let program = try server.registeredProgram()
        let digest = try #require(program["sha256"]?.stringValue)
        let size = try #require(program["size"]?.int64Value)
        let device = try server.enroll()
        let path = "/v1/executor/artifacts/\(digest)"
        let whole = try server.call("GET", path, token: device.token)
        #expect(whole.status == 200)
        #expect(whole.body.count == Int(size))
        #expect(whole.header("ETag") == "\"\(digest)\"")
        #expect(whole.header("Accept-Ranges") == "bytes")
        #expect(Array(whole.body.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46])

        let cached = try server.call("GET", path, token: device.token, headers: [("If-None-Match", "\"\(digest)\"")])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(cached.header("ETag") == "\"\(digest)\"")
        let stale = try server.call("GET", path, token: device.token, headers: [("If-None-Match", "\"\(String(repeating: "0", count: 64))\"")])
        #expect(stale.status == 200)

        let range = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=16-99")])
        #expect(range.status == 206)
        #expect(range.header("Content-Range") == "bytes 16-99/\(size)")
        #expect(range.body == Array(whole.body[16...99]))
        let suffix = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=-10")])
        #expect(suffix.status == 206)
        #expect(suffix.body == Array(whole.body.suffix(10)))
        let open = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=\(size - 5)-")])
        #expect(open.body == Array(whole.body.suffix(5)))
        let clipped = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=0-\(size * 10)")])
        #expect(clipped.status == 206)
        #expect(clipped.body == whole.body)
        let unsatisfiable = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=\(size)-")])
        expectProblem(unsatisfiable, 416, "a range past the end")
        #expect(unsatisfiable.header("Content-Range") == "bytes */\(size)")
        let staleIfRange = try server.call("GET", path, token: device.token, headers: [("Range", "bytes=0-9"), ("If-Range", "\"other\"")])
        #expect(staleIfRange.status == 200)
        #expect(staleIfRange.body == whole.body)

        expectProblem(try server.call("GET", "/v1/executor/artifacts/\(String(repeating: "ab", count: 32))", token: device.token), 404, "an unknown digest")
        expectProblem(try server.call("GET", "/v1/executor/artifacts/not-a-digest", token: device.token), 400, "a malformed digest")
        expectProblem(try server.call("GET", path, token: server.adminToken), 403, "a person's token on an executor path")
        let pending = try server.enroll(autoApprove: false)
        expectProblem(try server.call("GET", path, token: pending.token), 403, "a pending device")
    }

    @Test func invalidObjectsAreRejectedWithTheReason() throws {
        let server = try TestServer()
        let valid = [UInt8](try Data(contentsOf: try ProgramFixtures.counterObject()))
        var random = SystemRandomNumberGenerator()
        let cases: [(what: String, object: URL, manifest: String?, reason: String)] = [
            // libbpf's own reason, quoting the object by the uploaded name.
            ("random bytes", try ProgramFixtures.file(named: "random", bytes: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }), nil,
             "libbpf cannot open it: elf: 'bad' is not a proper ELF object"),
            ("an x86-64 executable", URL(fileURLWithPath: "/bin/true"), nil, "libbpf cannot open it: elf: bad is not a valid eBPF object file"),
            ("an object compiled for the host", try ProgramFixtures.hostObject(), nil, "libbpf cannot open it: elf: bad is not a valid eBPF object file"),
            ("a truncated object", try ProgramFixtures.file(named: "truncated", bytes: Array(valid.prefix(valid.count / 2))), nil,
             "libbpf cannot open it: elf: failed to get section names strings from bad"),
            ("a header only", try ProgramFixtures.file(named: "header", bytes: Array(valid.prefix(40))), nil,
             "libbpf cannot open it: elf: failed to open bad as ELF file"),
            ("an empty file", try ProgramFixtures.file(named: "empty", bytes: []), nil, "object: the file is empty"),
            ("an object whose BTF names a type that does not exist", try ProgramFixtures.corruptBTFObject(), nil,
             "libbpf cannot open it: BTF type [1] refers to type [16777215], which does not exist"),
            ("an object without programs", try ProgramFixtures.dataOnlyObject(), nil, "no program section"),
            ("a program in a section libbpf does not know", try ProgramFixtures.unknownSectionObject(), nil,
             "program 'custom' is in section 'fleet/custom', which is not a program type libbpf knows"),
            ("a manifest naming a missing map", try ProgramFixtures.counterObject(),
             #"{"maps": [{"name": "nope", "kind": "counter", "metric": "x_total"}]}"#, "no map 'nope'"),
            ("a manifest naming a missing program", try ProgramFixtures.counterObject(), #"{"programs": [{"name": "ghost"}]}"#, "no program 'ghost'"),
            ("a manifest with an unknown member", try ProgramFixtures.counterObject(), #"{"programs": [], "colour": "red"}"#, "unknown field 'colour'"),
            ("a manifest with an unknown map kind", try ProgramFixtures.counterObject(),
             #"{"maps": [{"name": "counts", "kind": "gauge", "metric": "x"}]}"#, "unknown kind 'gauge'"),
            ("a manifest attaching a tracepoint as xdp", try ProgramFixtures.counterObject(),
             #"{"programs": [{"name": "count_getpid", "attach": {"type": "xdp", "iface": "eth0"}}]}"#, "cannot attach as xdp"),
            ("a manifest with an unknown attach member", try ProgramFixtures.counterObject(),
             #"{"programs": [{"name": "count_getpid", "attach": {"type": "auto", "iface": "eth0"}}]}"#, "unknown field 'iface'"),
            ("a manifest that is not JSON", try ProgramFixtures.counterObject(), "{programs", "not valid JSON"),
            // Read as the executor reads it: a ring buffer layout or a probe the executor would refuse is refused here.
            ("a manifest with a ring buffer layout the executor cannot read", try ProgramFixtures.counterObject(),
             #"{"ringbufs": [{"name": "counts", "metric": "x", "layout": "float ratio"}]}"#, "unknown type 'float'"),
            ("a manifest with an impossible uprobe pid", try ProgramFixtures.counterObject(),
             #"{"programs": [{"name": "count_getpid", "attach": {"type": "uprobe", "binary": "/bin/true", "pid": 99999999999}}]}"#,
             "must be a process id"),
        ]
        for (index, item) in cases.enumerated() {
            let answer = try server.uploadProgram(name: "bad", version: "\(index)", object: item.object, manifest: item.manifest)
            expectProblem(answer, 422, item.what)
            #expect(answer.problemDetail?.contains(item.reason) == true, "\(item.what): \(answer)")
        }
        #expect(try server.call("GET", "/v1/programs", token: server.adminToken).items.isEmpty)
        let pool = PostgresPool(conninfo: server.conninfo, size: 1)
        defer { pool.close() }
        let artifacts = try pool.query("SELECT count(*) AS n FROM artifacts").first
        #expect(try artifacts?.decode("n", as: Int.self) == 0)
    }

    @Test func duplicatesConflictAndIdenticalBytesShareOneArtifact() throws {
        let server = try TestServer()
        let object = try ProgramFixtures.counterObject(variant: 3)
        let first = try server.uploadProgram(name: "dup", version: "1", object: object)
        try #require(first.status == 201, "\(first)")
        expectProblem(try server.uploadProgram(name: "dup", version: "1", object: try ProgramFixtures.counterObject(variant: 4)), 409, "the same name@version")
        let second = try server.uploadProgram(name: "dup", version: "2", object: object)
        let renamed = try server.uploadProgram(name: "dup-renamed", version: "1", object: object)
        #expect(second.status == 201 && renamed.status == 201)
        #expect(second.json["sha256"] == first.json["sha256"] && renamed.json["sha256"] == first.json["sha256"])
        let pool = PostgresPool(conninfo: server.conninfo, size: 1)
        defer { pool.close() }
        let counts = try pool.query("SELECT (SELECT count(*) FROM artifacts) AS artifacts, (SELECT count(*) FROM programs) AS programs").first
        #expect(try counts?.decode("artifacts", as: Int.self) == 1)
        #expect(try counts?.decode("programs", as: Int.self) == 3)
    }

    @Test func malformedUploadsAreBadRequests() throws {
        let server = try TestServer()
        let object = [UInt8](try Data(contentsOf: try ProgramFixtures.counterObject()))
        let boundary = "fleet-test-boundary"
        func send(_ body: [UInt8], contentType: String = "multipart/form-data; boundary=\(boundary)") throws -> TestServer.Answer {
            try server.call("POST", "/v1/programs", token: server.adminToken, raw: body, headers: [("Content-Type", contentType)])
        }
        let complete: [(name: String, filename: String?, bytes: [UInt8])] = [
            ("name", nil, Array("hand".utf8)), ("version", nil, Array("1".utf8)), ("object", "p.o", object),
        ]
        let made = try send(multipartBody(boundary: boundary, complete))
        #expect(made.status == 201, "a hand-built body is accepted: \(made)")
        expectProblem(try send(multipartBody(boundary: boundary, Array(complete.dropLast()))), 400, "no object part")
        expectProblem(try send(multipartBody(boundary: boundary, [complete[0], complete[2]])), 400, "no version part")
        expectProblem(try send(multipartBody(boundary: boundary, complete, closed: false)), 400, "no closing boundary")
        expectProblem(try send(multipartBody(boundary: boundary, complete + [("colour", nil, Array("red".utf8))])), 400, "an unknown field")
        expectProblem(try send(multipartBody(boundary: boundary, complete + [("name", nil, Array("again".utf8))])), 400, "a repeated field")
        expectProblem(try send(Array("just text".utf8)), 400, "no boundary at all")
        expectProblem(try send(multipartBody(boundary: boundary, complete), contentType: "application/octet-stream"), 415, "not multipart")
        expectProblem(try send(multipartBody(boundary: boundary, complete), contentType: "multipart/form-data"), 415, "multipart without a boundary")
        var badName = complete
        badName[0] = ("name", nil, Array("../etc".utf8))
        expectProblem(try send(multipartBody(boundary: boundary, badName)), 400, "a name with a slash")
        let oversizedManifest = complete + [("manifest", nil, Array(repeating: 32, count: 70_000))]
        expectProblem(try send(multipartBody(boundary: boundary, oversizedManifest)), 413, "a manifest over 64 KiB")
    }

    @Test func objectsOverTheSizeLimitAreRefused() throws {
        let server = try TestServer()
        let huge = ProgramFixtures.directory.appendingPathComponent("huge-\(UUID().uuidString).o")
        try #require(FileManager.default.createFile(atPath: huge.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: huge) }
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(ProgramStore.maximumObjectBytes) + 1)
        try handle.close()
        let answer = try server.uploadProgram(name: "huge", version: "1", object: huge)
        expectProblem(answer, 413, "an object one byte over the limit")
        #expect(answer.problemDetail?.contains("form field 'object' exceeds \(ProgramStore.maximumObjectBytes) bytes") == true, "\(answer)")
        #expect(try server.call("GET", "/v1/programs", token: server.adminToken).items.isEmpty)
    }

    @Test func rolesDecideWhoUploadsReadsAndDeletes() throws {
        let server = try TestServer()
        let viewer = try server.createToken(role: "viewer")
        let operatorToken = try server.createToken(role: "operator")
        let device = try server.enroll()
        let object = try ProgramFixtures.counterObject(variant: 9)

        expectProblem(try server.uploadProgram(name: "r", version: "1", object: object, token: viewer), 403, "a viewer uploading")
        expectProblem(try server.uploadProgram(name: "r", version: "1", object: object, token: device.token), 403, "a device uploading")
        expectProblem(try curlUpload(base: server.base, token: nil, [.text("name", "r")]), 401, "no token")
        // Refused before the body: a viewer cannot make the server take a large upload.
        let large = try ProgramFixtures.file(named: "large", bytes: [UInt8](repeating: 7, count: 8 << 20))
        let started = ContinuousClock.now
        let refused = try curlUpload(base: server.base, token: viewer, [.text("name", "r"), .text("version", "1"), .file("object", large)])
        #expect(refused.status == 403)
        #expect(ContinuousClock.now - started < .seconds(5))

        let created = try server.uploadProgram(name: "r", version: "1", object: object, token: operatorToken)
        try #require(created.status == 201, "\(created)")
        let id = try #require(created.json["id"]?.stringValue)
        for path in ["/v1/programs", "/v1/programs/\(id)", "/v1/programs/\(id)/object"] {
            #expect(try server.call("GET", path, token: viewer).status == 200, "viewer GET \(path)")
            expectProblem(try server.call("GET", path, token: device.token), 403, "device GET \(path)")
            expectProblem(try server.call("GET", path), 401, "anonymous GET \(path)")
        }
        expectProblem(try server.call("DELETE", "/v1/programs/\(id)", token: viewer), 403, "a viewer deleting")
        expectProblem(try server.call("DELETE", "/v1/programs/\(id)", token: device.token), 403, "a device deleting")
        expectProblem(try server.call("GET", "/v1/executor/artifacts/\(created.json["sha256"]!.stringValue!)", token: operatorToken), 403,
                      "an operator on the executor path")
        #expect(try server.call("DELETE", "/v1/programs/\(id)", token: operatorToken).status == 204)
    }

    @Test func deleteIsRefusedWhileADeviceRunsTheProgram() throws {
        let server = try TestServer()
        let object = try ProgramFixtures.counterObject(variant: 11)
        let kept = try server.uploadProgram(name: "del", version: "1", object: object)
        let shared = try server.uploadProgram(name: "del", version: "2", object: object)
        try #require(kept.status == 201 && shared.status == 201)
        let id = try #require(kept.json["id"]?.stringValue)
        let digest = try #require(kept.json["sha256"]?.stringValue)
        let device = try server.enroll()

        try server.runCommand(on: device, type: "program.load", payload: ["program_id": .string(id)])
        let refused = try server.call("DELETE", "/v1/programs/\(id)", token: server.adminToken)
        expectProblem(refused, 409, "a program a device loaded")
        #expect(refused.problemDetail?.contains(device.id) == true)

        // A failed unload changes nothing; a succeeded one frees it.
        try server.runCommand(on: device, type: "program.unload", payload: ["name": "del"], state: "failed")
        expectProblem(try server.call("DELETE", "/v1/programs/\(id)", token: server.adminToken), 409, "after a failed unload")
        try server.runCommand(on: device, type: "program.unload", payload: ["name": "del"])

        // A load that is still queued counts as well.
        let queued = try server.queuedCommand(for: device.id, type: "program.load", extra: ["payload": ["program_id": .string(id)]])
        expectProblem(try server.call("DELETE", "/v1/programs/\(id)", token: server.adminToken), 409, "while a load is queued")
        #expect(try server.call("POST", "/v1/commands/\(queued)/cancel", token: server.adminToken).status == 200)

        #expect(try server.call("DELETE", "/v1/programs/\(id)", token: server.adminToken).status == 204)
        expectProblem(try server.call("GET", "/v1/programs/\(id)", token: server.adminToken), 404, "a deleted program")
        expectProblem(try server.call("DELETE", "/v1/programs/\(id)", token: server.adminToken), 404, "deleting twice")
        // The bytes stay while another program shares them, and go with the last one.
        #expect(try server.call("GET", "/v1/executor/artifacts/\(digest)", token: device.token).status == 200)
        #expect(try server.call("DELETE", "/v1/programs/\(shared.json["id"]!.stringValue!)", token: server.adminToken).status == 204)
        expectProblem(try server.call("GET", "/v1/executor/artifacts/\(digest)", token: device.token), 404, "an artifact no program uses")

        // A decommissioned device no longer holds a program.
        let other = try server.registeredProgram(name: "del-other", version: "1", variant: 12)
        let otherID = try #require(other["id"]?.stringValue)
        try server.runCommand(on: device, type: "program.replace", payload: ["program_id": .string(otherID)])
        expectProblem(try server.call("DELETE", "/v1/programs/\(otherID)", token: server.adminToken), 409, "a program a device replaced in")
        #expect(try server.call("DELETE", "/v1/devices/\(device.id)", token: server.adminToken).status == 204)
        #expect(try server.call("DELETE", "/v1/programs/\(otherID)", token: server.adminToken).status == 204)

        let audit = try server.call("GET", "/v1/audit", token: server.adminToken)
        #expect(audit.items.contains { $0["action"] == "program.delete" && $0["target_id"]?.stringValue == id })
    }

    @Test func aReplaceThatMovedAnInstanceOffAProgramFreesIt() throws {
        let server = try TestServer()
        let first = try server.registeredProgram(name: "moved", version: "1", variant: 21)
        let second = try server.registeredProgram(name: "moved", version: "2", variant: 22)
        let firstID = try #require(first["id"]?.stringValue)
        let secondID = try #require(second["id"]?.stringValue)
        let device = try server.enroll()

        try server.runCommand(on: device, type: "program.load", payload: ["program_id": .string(firstID)])
        try server.runCommand(on: device, type: "program.replace", payload: ["program_id": .string(secondID), "name": "moved"])
        expectProblem(try server.call("DELETE", "/v1/programs/\(secondID)", token: server.adminToken), 409, "the program the instance runs now")
        #expect(try server.call("DELETE", "/v1/programs/\(firstID)", token: server.adminToken).status == 204,
                "the program the instance ran before the replace is free")

        // Another instance name on the same device keeps its own program busy.
        try server.runCommand(on: device, type: "program.load", payload: ["program_id": .string(secondID), "name": "second-copy"])
        try server.runCommand(on: device, type: "program.unload", payload: ["name": "moved"])
        expectProblem(try server.call("DELETE", "/v1/programs/\(secondID)", token: server.adminToken), 409, "still loaded as second-copy")
        try server.runCommand(on: device, type: "program.unload", payload: ["name": "second-copy"])
        #expect(try server.call("DELETE", "/v1/programs/\(secondID)", token: server.adminToken).status == 204)
    }

    /// The repository's own eBPF programs (`bpf/`, built by `make -C bpf`) with their manifests.
    static let repositoryObjects: [(object: URL, manifest: URL)] = {
        let root = BuiltProducts.packageRoot.appendingPathComponent("bpf")
        let manifests = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return manifests.filter { $0.hasSuffix(".manifest.json") }.sorted().compactMap { file in
            let stem = String(file.dropLast(".manifest.json".count))
            let object = root.appendingPathComponent("build/\(stem).bpf.o")
            guard FileManager.default.fileExists(atPath: object.path) else { return nil }
            return (object, root.appendingPathComponent(file))
        }
    }()

    @Test(.enabled(if: !repositoryObjects.isEmpty, "bpf/build holds no built objects with manifests"))
    func repositoryProgramsAndManifestsAreAccepted() throws {
        let server = try TestServer()
        for (index, item) in Self.repositoryObjects.enumerated() {
            let manifest = try String(contentsOf: item.manifest, encoding: .utf8)
            let answer = try server.uploadProgram(name: item.object.lastPathComponent.replacingOccurrences(of: ".bpf.o", with: ""),
                                                  version: "1.\(index)", object: item.object, manifest: manifest)
            #expect(answer.status == 201, "\(item.object.lastPathComponent): \(answer)")
            #expect(answer.json["programs"]?.arrayValue?.isEmpty == false)
        }
    }

    /// A 50 MiB object goes through a separate `fleet-server` process whose peak resident memory is read from
    /// /proc: it must grow far less than the upload (the object is streamed to disk, validated there and
    /// copied in 256 KiB chunks, and downloaded a chunk at a time).
    @Test func fiftyMegabyteUploadKeepsServerMemoryBounded() async throws {
        let conninfo = try TestCluster.freshDatabase()
        let server = try await ServerProcess(conninfo: conninfo)
        defer { server.stop() }
        let token = try AdminToken.create(conninfo: conninfo, role: .operator, name: "big-uploader")
        let base = "http://127.0.0.1:\(server.port)"

        let blob = ProgramFixtures.directory.appendingPathComponent("blob-\(UUID().uuidString)")
        try #require(try ProgramFixtures.run("/bin/sh", ["-c", "head -c \(50 << 20) /dev/urandom > '\(blob.path)'"]).status == 0)
        let big = ProgramFixtures.directory.appendingPathComponent("big-\(UUID().uuidString).o")
        let copied = try ProgramFixtures.run(ProgramFixtures.objcopy, ["--add-section", ".fleet.padding=\(blob.path)",
                                                                      try ProgramFixtures.counterObject(variant: 50).path, big.path])
        try #require(copied.status == 0, "\(copied.errors)")
        try? FileManager.default.removeItem(at: blob)
        let bigSize = try #require(try FileManager.default.attributesOfItem(atPath: big.path)[.size] as? Int)
        try #require(bigSize > 50 << 20)

        // Warm up (code paths, pools), then measure the peak from here.
        let warm = try await onOwnThread { try curlUpload(base: base, token: token, [.text("name", "warm"), .text("version", "1"),
                                                                                .file("object", try ProgramFixtures.counterObject(variant: 51))]) }
        try #require(warm.status == 201, "\(warm)")
        let pid = server.process.processIdentifier
        let baseline = try ProcessMemory(pid: pid)
        ProcessMemory.resetPeak(pid: pid)

        let answer = try await onOwnThread { try curlUpload(base: base, token: token, [.text("name", "big"), .text("version", "1"), .file("object", big)]) }
        try #require(answer.status == 201, "\(answer)")
        #expect(answer.json["size"]?.int64Value == Int64(bigSize))
        #expect(answer.json["sha256"]?.stringValue == (try ProgramFixtures.sha256(of: big)))

        let downloaded = ProgramFixtures.directory.appendingPathComponent("downloaded-\(UUID().uuidString).o")
        let id = try #require(answer.json["id"]?.stringValue)
        let fetched = try await onOwnThread {
            try ProgramFixtures.run("/usr/bin/curl", ["-sS", "--max-time", "120", "-H", "Authorization: Bearer \(token)", "-o", downloaded.path,
                                                      "-w", "%{http_code}", "\(base)/v1/programs/\(id)/object"])
        }
        #expect(fetched.output == "200")
        #expect(try ProgramFixtures.sha256(of: downloaded) == ProgramFixtures.sha256(of: big))

        let after = try ProcessMemory(pid: pid)
        let growth = after.peakKiB - baseline.residentKiB
        #expect(growth < 12 * 1024, "the server's peak memory grew by \(growth) KiB for a \(bigSize >> 20) MiB upload and download")
        try? FileManager.default.removeItem(at: big)
        try? FileManager.default.removeItem(at: downloaded)
    }
}

/// VmRSS and VmHWM of a process, from /proc/<pid>/status.
struct ProcessMemory {
    let residentKiB: Int
    let peakKiB: Int

    init(pid: Int32) throws {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func field(_ name: String) -> Int? {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        }
        residentKiB = try #require(field("VmRSS"))
        peakKiB = try #require(field("VmHWM"))
    }

    /// Resets VmHWM to the current RSS (Linux `clear_refs` value 5); without permission the peak stays as is.
    static func resetPeak(pid: Int32) {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }
}

/// Reads an Ed25519 public key from its DER SubjectPublicKeyInfo (the raw key is the last 32 bytes).
func ed25519PublicKey(derFile: URL) throws -> ProgramSignature.PublicKey {
    let der = [UInt8](try Data(contentsOf: derFile))
    try #require(der.count == 44)
    return try ProgramSignature.PublicKey(rawRepresentation: Data(der.suffix(32)))
}

@Suite struct MultipartParserTests {
    static let body = Array("""
        preamble\r
        --XyZ\r
        Content-Disposition: form-data; name="name"\r
        \r
        hello\r
        --XyZ\r
        Content-Disposition: form-data; name="object"; filename="a.o"\r
        Content-Type: application/octet-stream\r
        \r
        \r
        --Xy\r
        -XyZ --XyY bytes\r
        --XyZ--\r
        epilogue
        """.utf8)

    static func parse(_ body: [UInt8], pieceSize: Int) throws -> [MultipartParser.Event] {
        var parser = MultipartParser(boundary: "XyZ")
        var events: [MultipartParser.Event] = []
        var offset = 0
        while offset < body.count {
            let piece = Array(body[offset..<min(offset + pieceSize, body.count)])
            events += try piece.withUnsafeBytes { try parser.feed($0) }
            offset += pieceSize
        }
        try parser.finish()
        // Merge adjacent data events, whose split depends on the piece size.
        var merged: [MultipartParser.Event] = []
        for event in events {
            if case .partData(let more) = event, case .partData(let earlier)? = merged.last {
                merged[merged.count - 1] = .partData(earlier + more)
            } else {
                merged.append(event)
            }
        }
        return merged
    }

    @Test func partsAreFoundWhateverThePieceSize() throws {
        let expected: [MultipartParser.Event] = [
            .partBegin(.init(name: "name", filename: nil, contentType: nil)), .partData(Array("hello".utf8)), .partEnd,
            .partBegin(.init(name: "object", filename: "a.o", contentType: "application/octet-stream")),
            .partData(Array("\r\n--Xy\r\n-XyZ --XyY bytes".utf8)), .partEnd,
        ]
        for size in [1, 2, 3, 5, 7, 16, 64, 4096] {
            #expect(try Self.parse(Self.body, pieceSize: size) == expected, "piece size \(size)")
        }
    }

    @Test func truncatedOrForeignBodiesAreMalformed() {
        #expect(throws: MultipartParser.Malformed.self) { try Self.parse(Array(Self.body.prefix(120)), pieceSize: 10) }
        #expect(throws: MultipartParser.Malformed.self) { try Self.parse(Array("no boundary here".utf8), pieceSize: 4) }
        let noName = Array("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--".utf8)
        #expect(throws: MultipartParser.Malformed.self) { try Self.parse(noName, pieceSize: 8) }
    }

    @Test func boundaryComesFromTheContentType() {
        #expect(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartParser.boundary(fromContentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c")
        #expect(MultipartParser.boundary(fromContentType: "multipart/mixed; boundary=abc") == nil)
        #expect(MultipartParser.boundary(fromContentType: "multipart/form-data") == nil)
    }
}

@Suite struct ByteRangeTests {
    @Test func singleRangesResolveAgainstTheLength() {
        #expect(ByteRange(header: nil, length: 100) == .whole)
        #expect(ByteRange(header: "bytes=0-9", length: 100) == .partial(first: 0, last: 9))
        #expect(ByteRange(header: "bytes=90-", length: 100) == .partial(first: 90, last: 99))
        #expect(ByteRange(header: "bytes=-10", length: 100) == .partial(first: 90, last: 99))
        #expect(ByteRange(header: "bytes=-1000", length: 100) == .partial(first: 0, last: 99))
        #expect(ByteRange(header: "bytes=50-5000", length: 100) == .partial(first: 50, last: 99))
        #expect(ByteRange(header: "bytes=100-", length: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", length: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-1,5-6", length: 100) == .whole)
        #expect(ByteRange(header: "bytes=9-1", length: 100) == .whole)
        #expect(ByteRange(header: "items=0-1", length: 100) == .whole)
        #expect(ByteRange(header: "bytes=a-b", length: 100) == .whole)
    }

    @Test func entityTagsCompareWeaklyForNoneMatch() {
        #expect(EntityTag.noneMatch("\"a\", W/\"b\"", matches: "\"b\""))
        #expect(EntityTag.noneMatch("*", matches: "\"b\""))
        #expect(!EntityTag.noneMatch("\"c\"", matches: "\"b\""))
        #expect(EntityTag.ifRange(nil, allows: "\"b\""))
        #expect(!EntityTag.ifRange("W/\"b\"", allows: "\"b\""))
    }
}
