import Foundation
import Testing
import FleetCore
import FleetJSON
@testable import FleetClient

@Suite struct ProgramUploadTests {
    static let programJSON: JSON = [
        "id": "3f2a0000-0000-4000-8000-000000000001", "name": "syscall-count", "version": "1.0.0",
        "sha256": "6541e27761395a0c729c6daad2f73f4e0eaed2434fb0954dc07d9d181de0ee72", "size": 9128,
        "manifest": ["rodata": ["target_pid": 0]],
        "programs": [["name": "count_syscalls", "section": "tracepoint/raw_syscalls/sys_enter", "type": "tracepoint"]],
        "maps": [["name": "syscall_counts", "section": ".maps"], ["name": "syscall_total", "section": ".maps"]],
        "signed": false, "signature": nil, "created_at": "2026-11-29T07:00:00.000000Z", "created_by": "token:x (admin)",
    ]

    func client(_ transport: RecordingTransport) -> FleetClient {
        FleetClient(configuration: ClientConfiguration(server: "http://fleet.test:8080", token: BearerToken("fla_test")), transport: transport)
    }

    @Test func formHasTextFieldsThenTheObjectAsAStreamedFileThenManifestAndSignature() {
        let program = NewProgram(name: "syscall-count", version: "1.0.0", objectPath: "/build/bpf/syscall_count.bpf.o",
                                 manifest: ["programs": []], signature: "c2ln")
        let form = program.form
        #expect(form.parts.map(\.name) == ["name", "version", "object", "manifest", "signature"])
        #expect(form.part("name")?.content == .bytes(Array("syscall-count".utf8)))
        #expect(form.part("version")?.content == .bytes(Array("1.0.0".utf8)))
        let object = form.part("object")
        #expect(object?.content == .file(path: "/build/bpf/syscall_count.bpf.o"))
        #expect(object?.filename == "syscall_count.bpf.o")
        #expect(object?.contentType == "application/octet-stream")
        #expect(form.part("manifest")?.content == .bytes(Array(#"{"programs":[]}"#.utf8)))
        #expect(form.part("manifest")?.contentType == "application/json")
        #expect(form.part("signature")?.content == .bytes(Array("c2ln".utf8)))
    }

    @Test func optionalPartsAreLeftOutWhenNotGiven() {
        let form = NewProgram(name: "p", version: "1", objectPath: "p.o").form
        #expect(form.parts.map(\.name) == ["name", "version", "object"])
        #expect(form.part("object")?.filename == "p.o")
    }

    @Test func uploadPostsTheFormWithTheTokenAndDecodesTheCreatedProgram() throws {
        let transport = RecordingTransport([.json(201, Self.programJSON.serialized())])
        // Any readable regular file will do: the transport only records the path.
        let created = try client(transport).uploadProgram(NewProgram(name: "syscall-count", version: "1.0.0", objectPath: #filePath))
        #expect(created.name == "syscall-count")
        #expect(created.size == 9128)
        #expect(created.maps.map(\.name) == ["syscall_counts", "syscall_total"])
        #expect(created.programs.first?.type == "tracepoint")
        #expect(created.json == Self.programJSON)
        let request = try #require(transport.requests.first)
        #expect(request.method == .post)
        #expect(request.url == "http://fleet.test:8080/v1/programs")
        #expect(request.headers.contains { $0.name == "Authorization" && $0.value == "Bearer fla_test" })
        #expect(transport.forms.first?.part("object")?.content == .file(path: #filePath))
    }

    @Test func uploadOfAMissingFileFailsBeforeAnyRequest() throws {
        let transport = RecordingTransport([])
        let error = try #require(throws: FleetClientError.self) {
            try client(transport).uploadProgram(NewProgram(name: "p", version: "1", objectPath: "/nonexistent/p.o"))
        }
        #expect(error.kind == .invalidConfiguration)
        #expect(error.description == "cannot read /nonexistent/p.o: No such file or directory")
        #expect(transport.requests.isEmpty)
    }

    @Test func conflictBecomesAnHTTPError() throws {
        let transport = RecordingTransport([.json(409, #"{"title":"Conflict","status":409,"detail":"program p@1 already exists"}"#)])
        let error = try #require(throws: FleetClientError.self) {
            try client(transport).uploadProgram(NewProgram(name: "p", version: "1", objectPath: #filePath))
        }
        #expect(error.description == "409 Conflict: program p@1 already exists")
    }

    @Test func downloadHandsTheBodyToTheSinkInOrder() throws {
        let bytes = Array("\u{7F}ELF and then some".utf8)
        let transport = RecordingTransport([HTTPResponse(status: 200, body: bytes)])
        var received: [UInt8] = []
        let id = try #require(RegisteredProgram.ID("3f2a0000-0000-4000-8000-000000000001"))
        let count = try client(transport).downloadProgramObject(id) { received.append(contentsOf: $0) }
        #expect(received == bytes)
        #expect(count == Int64(bytes.count))
        #expect(transport.requests.first?.url == "http://fleet.test:8080/v1/programs/3f2a0000-0000-4000-8000-000000000001/object")
    }

    @Test func signatureFileMayHoldRawBytesOrBase64() throws {
        let raw = (0..<64).map { UInt8($0 * 3 % 256) }
        let canonical = Data(raw).base64EncodedString()
        #expect(try ProgramSignatureText.normalize(raw) == canonical)
        #expect(try ProgramSignatureText.normalize(Array((canonical + "\n").utf8)) == canonical)
        #expect(try ProgramSignatureText.normalize(Array(canonical.replacingOccurrences(of: "=", with: "").utf8)) == canonical)
        #expect(throws: ProgramSignatureText.Invalid(byteCount: 5)) { try ProgramSignatureText.normalize(Array("hello".utf8)) }
        // Base64 of 30 bytes is text, but not a signature.
        #expect(throws: ProgramSignatureText.Invalid(byteCount: 40)) {
            try ProgramSignatureText.normalize(Array(Data(raw.prefix(30)).base64EncodedString().utf8))
        }
    }
}
