import Testing
import Glibc
@testable import FleetSystem

@Suite struct FileSystemTests {
    private func scratch() throws -> String {
        var template = Array("/tmp/fleet-system-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: try #require(path))
    }

    @Test func pathComponents() {
        #expect(FilePath.join("/a", "b") == "/a/b")
        #expect(FilePath.join("/a/", "b") == "/a/b")
        #expect(FilePath.parent("/a/b") == "/a")
        #expect(FilePath.parent("/a/b/") == "/a")
        #expect(FilePath.parent("/a") == "/")
        #expect(FilePath.parent("b") == ".")
        #expect(FilePath.lastComponent("/a/b.json") == "b.json")
        #expect(FilePath.lastComponent("b") == "b")
    }

    @Test func writeReadListRemove() throws {
        let root = try scratch()
        defer { try? FileSystem.remove(root) }
        let nested = FilePath.join(root, "x/y/z")
        try FileSystem.createDirectory(nested, mode: 0o700)
        try FileSystem.createDirectory(nested)
        #expect(FileSystem.isDirectory(nested))
        var info = stat()
        #expect(stat(nested, &info) == 0 && info.st_mode & 0o777 == 0o700)

        let file = FilePath.join(nested, "data.bin")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileSystem.writeAtomically(bytes, to: file, mode: 0o640)
        #expect(try FileSystem.read(file) == bytes)
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o640)
        try FileSystem.writeAtomically(Array("replaced".utf8), to: file)
        #expect(FileSystem.readText(file) == "replaced")
        #expect(try FileSystem.contentsOfDirectory(nested) == ["data.bin"])

        try FileSystem.remove(FilePath.join(root, "x"))
        #expect(!FileSystem.exists(FilePath.join(root, "x")))
        try FileSystem.remove(FilePath.join(root, "x"))
    }

    @Test func procFilesAreReadToTheirEnd() throws {
        let status = try #require(FileSystem.readText("/proc/self/status"))
        #expect(status.contains("VmRSS:"))
    }

    @Test func failuresNameThePathAndTheCause() throws {
        let root = try scratch()
        defer { try? FileSystem.remove(root) }
        let missing = FilePath.join(root, "missing")
        #expect(try FileSystem.readIfPresent(missing) == nil)
        #expect(FileSystem.readText(missing) == nil)
        do {
            _ = try FileSystem.read(missing)
            Issue.record("read a missing file")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description.contains(missing))
        }
        #expect(throws: SystemError.self) { try FileSystem.contentsOfDirectory(missing) }
        let file = FilePath.join(root, "plain")
        try FileSystem.writeAtomically([1], to: file)
        #expect(throws: SystemError.self) { try FileSystem.createDirectory(FilePath.join(file, "below")) }
        #expect(throws: SystemError.self) { try FileSystem.writeAtomically([1], to: FilePath.join(missing, "f")) }
        #expect(try FileSystem.contentsOfDirectory(root) == ["plain"])
    }

    @Test func environment() {
        setenv("FLEET_SYSTEM_TEST", "a=b", 1)
        #expect(ProcessEnvironment.value("FLEET_SYSTEM_TEST") == "a=b")
        #expect(ProcessEnvironment.variables["FLEET_SYSTEM_TEST"] == "a=b")
        #expect(ProcessEnvironment.value("FLEET_SYSTEM_TEST_UNSET") == nil)
        #expect(ProcessEnvironment.activeProcessorCount >= 1)
        #expect(ProcessEnvironment.physicalMemory > 0)
    }
}
