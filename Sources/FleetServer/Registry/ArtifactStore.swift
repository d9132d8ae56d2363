import FleetHTTP
import FleetPostgres
import Foundation
import Synchronization

/// Content-addressed blobs in PostgreSQL: one `artifacts` row per distinct SHA-256, the bytes in
/// `artifact_chunks` rows of at most `chunkSize` bytes, written and read a chunk at a time.
enum ArtifactStore {
    static let chunkSize = 256 << 10

    struct Info: Sendable {
        let digest: ArtifactDigest
        let size: UInt64
        let mediaType: String
        let chunkSize: Int
    }

    /// Stores the staged bytes under `digest` unless that artifact already exists; returns whether it wrote.
    ///
    /// The artifact row is locked either way (until the transaction ends), so a concurrent deletion of the
    /// same artifact waits and then sees the new reference.
    @discardableResult
    static func store(_ file: StagedFile, digest: ArtifactDigest, mediaType: String, on connection: PostgresConnection) throws -> Bool {
        let row = try connection.query("""
            INSERT INTO artifacts (sha256, size, media_type, chunk_size)
            VALUES (\(digest.hex), \(Int64(file.size)), \(mediaType), \(chunkSize))
            ON CONFLICT (sha256) DO UPDATE SET media_type = artifacts.media_type
            RETURNING (xmax = 0) AS inserted
            """).first
        guard try row?.decode("inserted", as: Bool.self) == true else { return false }
        var offset: UInt64 = 0
        var sequence = 0
        while offset < file.size {
            let bytes = try file.read(at: offset, count: chunkSize)
            try connection.query("INSERT INTO artifact_chunks (sha256, seq, data) VALUES (\(digest.hex), \(sequence), \(bytes))")
            offset += UInt64(bytes.count)
            sequence += 1
        }
        return true
    }

    static func info(_ digest: ArtifactDigest, on connection: PostgresConnection) throws -> Info? {
        guard let row = try connection.query("SELECT size, media_type, chunk_size FROM artifacts WHERE sha256 = \(digest.hex)").first else {
            return nil
        }
        return Info(digest: digest, size: UInt64(try row.decode("size", as: Int64.self)), mediaType: try row.decode("media_type"),
                    chunkSize: try row.decode("chunk_size"))
    }

    /// Deletes the artifact (and its chunks) when no program or model refers to it any more.
    static func deleteIfUnreferenced(_ digest: ArtifactDigest, on connection: PostgresConnection) throws {
        // Lock first: an upload reusing this artifact holds the row until it commits; the check below then
        // runs with a snapshot that sees its program or model.
        guard try connection.query("SELECT 1 FROM artifacts WHERE sha256 = \(digest.hex) FOR UPDATE").first != nil else { return }
        try connection.query("""
            DELETE FROM artifacts WHERE sha256 = \(digest.hex)
            AND NOT EXISTS (SELECT 1 FROM programs WHERE sha256 = \(digest.hex))
            AND NOT EXISTS (SELECT 1 FROM models WHERE sha256 = \(digest.hex))
            """)
    }
}

/// Reads an artifact's bytes `base...` for a streamed response, one chunk row at a time (borrowing a pooled
/// connection per chunk, so a slow client holds none), keeping only the current chunk in memory.
final class ArtifactBody: ResponseBodySource {
    private let pool: PostgresPool
    private let info: ArtifactStore.Info
    private let base: UInt64
    private let current = Mutex<(sequence: Int, bytes: [UInt8])?>(nil)

    init(pool: PostgresPool, info: ArtifactStore.Info, base: UInt64) {
        self.pool = pool
        self.info = info
        self.base = base
    }

    func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let position = base + offset
        let sequence = Int(position / UInt64(info.chunkSize))
        let within = Int(position % UInt64(info.chunkSize))
        let chunk = try current.withLock { current -> [UInt8] in
            if let current, current.sequence == sequence { return current.bytes }
            let bytes = try pool.withConnection { connection -> [UInt8] in
                guard let row = try connection.query("""
                    SELECT data FROM artifact_chunks WHERE sha256 = \(info.digest.hex) AND seq = \(sequence)
                    """).first else {
                    throw PostgresError(kind: .decoding, message: "artifact chunk missing")
                }
                return try row.decode("data")
            }
            current = (sequence, bytes)
            return bytes
        }
        guard within < chunk.count else { return 0 }
        let count = min(buffer.count, chunk.count - within)
        chunk.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[within..<(within + count)]))
        }
        return count
    }
}
