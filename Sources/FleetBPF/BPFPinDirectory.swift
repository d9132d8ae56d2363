import FleetSystem
import Glibc

/// The pins of one named program deployment: `<root>/<name>/{progs,links,maps}/<item>`.
public struct BPFPinDirectory: Hashable, Sendable {
    public static let defaultRoot = "/sys/fs/bpf/fleet"

    public let name: String
    /// `<root>/<name>`.
    public let path: String

    /// - Parameters:
    ///   - name: a single path component (letters, digits, `-`, `_`, `.`), not `.` or `..`.
    ///   - root: a directory on a bpf filesystem.
    /// - Throws: `BPFError` `.invalidArgument` for an unusable name.
    public init(name: String, root: String = BPFPinDirectory.defaultRoot) throws(BPFError) {
        guard BPFPinPath.isValidComponent(name) else {
            throw BPFError(code: .invalidArgument, operation: "pin directory", subject: name,
                           reason: "name must be one path component of [A-Za-z0-9._-]")
        }
        self.name = name
        path = root.hasSuffix("/") ? root + name : root + "/" + name
    }

    public var programsPath: String { path + "/progs" }
    public var linksPath: String { path + "/links" }
    public var mapsPath: String { path + "/maps" }

    public func programPath(_ name: String) -> String { programsPath + "/" + name }
    public func linkPath(_ name: String) -> String { linksPath + "/" + name }
    public func mapPath(_ name: String) -> String { mapsPath + "/" + name }

    /// True when the directory exists.
    public var exists: Bool {
        FileSystem.exists(path)
    }

    /// Removes every pin and the directories themselves. Programs and maps are unloaded once no
    /// process holds them; links detach once no process holds their fd.
    /// - Throws: `BPFError` `.unpin`.
    public func remove() throws(BPFError) {
        guard exists else { return }
        for directory in [programsPath, linksPath, mapsPath] {
            for entry in BPFPinPath.entries(of: directory) {
                let file = directory + "/" + entry
                if unlink(file) != 0 && errno != ENOENT {
                    throw BPFError(code: .unpin, operation: "unlink", subject: file, errno: errno)
                }
            }
            if rmdir(directory) != 0 && errno != ENOENT {
                throw BPFError(code: .unpin, operation: "rmdir", subject: directory, errno: errno)
            }
        }
        if rmdir(path) != 0 && errno != ENOENT {
            throw BPFError(code: .unpin, operation: "rmdir", subject: path, errno: errno)
        }
    }
}

enum BPFPinPath {
    static func isValidComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count < 256
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// Creates the directories above a pin path, mounting bpffs first when the path is under it.
    static func createParent(of path: String) throws(BPFError) {
        if path.hasPrefix(BPFFileSystem.bpfMountPoint + "/") { try BPFFileSystem.ensureMounted() }
        let parent = FilePath.parent(path)
        do {
            try FileSystem.createDirectory(parent)
        } catch {
            throw BPFError(code: .pin, operation: "mkdir", subject: error.path, errno: error.errno)
        }
    }

    static func entries(of directory: String) -> [String] {
        (try? FileSystem.contentsOfDirectory(directory)) ?? []
    }
}
