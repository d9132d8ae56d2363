import Foundation
import Glibc

/// An anonymous temporary file that holds one upload while it is validated; the only owner of its descriptor.
/// The file is unlinked as soon as it is created, so nothing is left behind whatever happens; `deinit` closes it.
final class StagedFile: @unchecked Sendable {  // safe: once the upload is in, only pread and mmap use it, which are thread-safe
    private let descriptor: Int32
    private(set) var size: UInt64 = 0

    /// Creates the file in `directory` (the system's temporary directory by default).
    /// - Throws: `APIError` 500 when the file cannot be created.
    init(directory: String = NSTemporaryDirectory()) throws {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array("fleet-upload-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw APIError(status: 500, title: "Internal Server Error", detail: "the server cannot stage the upload")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Appends bytes at the end of the file.
    /// - Throws: `APIError` 507 when the disk is full, 500 for other write failures.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset, off_t(size) + off_t(offset))
            if written < 0 {
                if errno == EINTR { continue }
                throw errno == ENOSPC || errno == EDQUOT
                    ? APIError(status: 507, title: "Insufficient Storage", detail: "the server has no room to stage the upload")
                    : APIError(status: 500, title: "Internal Server Error", detail: "the server cannot stage the upload")
            }
            offset += written
        }
        size += UInt64(bytes.count)
    }

    /// Up to `count` bytes from `offset` (fewer at the end of the file).
    func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, wanted - done, off_t(offset) + off_t(done)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw APIError(status: 500, title: "Internal Server Error", detail: "the server cannot read the staged upload")
            }
            done += got
        }
        return bytes
    }

    /// Runs `body` with the file's bytes mapped into memory: pages are read from the file only as `body`
    /// touches them, so a reader that looks at a few tables of a large file costs little memory. The pages are
    /// private (a write would not reach the file) and unmapped when `body` returns; `body` must not keep the pointer.
    /// - Throws: `APIError` 500 when the file cannot be mapped, or what `body` throws.
    func withMappedBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let length = Int(size)
        guard let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, 0),
              address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw APIError(status: 500, title: "Internal Server Error", detail: "the server cannot read the staged upload")
        }
        defer { munmap(address, length) }
        return try body(UnsafeRawBufferPointer(start: address, count: length))
    }
}
