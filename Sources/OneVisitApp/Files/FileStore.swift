import Foundation

/// Where uploaded materials, guide attachments and generated results are kept, by the
/// SHA-256 of their content. `BlobStore` keeps them on disk; the composition root
/// (`AppServices.make`) picks the one in force, so a test can pin another (STYLE.md 4).
public protocol FileStore: Sendable {
    /// Whether a file with this SHA-256 (64 lowercase hex digits) is stored.
    func exists(_ sha256: String) -> Bool
    /// The file's bytes, or nil when nothing is stored under `sha256`.
    func read(_ sha256: String) throws -> Data?
    /// Stores `data` durably and returns its SHA-256; storing the same content twice is a no-op.
    func write(_ data: Data) throws -> String
    /// Removes files no record refers to that are older than `age`; returns how many went.
    func collectGarbage(referenced: Set<String>, olderThan age: TimeInterval, now: Date) -> Int
}

extension BlobStore: FileStore {}
