import Crypto
import Foundation

/// The audit trail as a hash chain (R6.10 accountability, R7.1.6 security).
///
/// Each record's hash covers its own fields and the previous record's hash, so an
/// edit, a deletion or a reordering breaks every link after it.
public enum AuditChain {
    /// The hash before the first record.
    public static let genesis = String(repeating: "0", count: 64)

    /// The fields that a record's hash covers.
    public struct Entry: Sendable, Equatable {
        public var sequence: Int64
        public var occurredAt: Date
        public var actor: String
        public var action: String
        public var objectType: String
        public var objectID: String
        public var address: String
        public var detail: String

        public init(sequence: Int64, occurredAt: Date, actor: String, action: String, objectType: String, objectID: String, address: String, detail: String) {
            self.sequence = sequence
            self.occurredAt = occurredAt
            self.actor = actor
            self.action = action
            self.objectType = objectType
            self.objectID = objectID
            self.address = address
            self.detail = detail
        }

        /// Length-prefixed fields, so no two different entries encode alike.
        var canonical: String {
            let millis = Int64((occurredAt.timeIntervalSince1970 * 1000).rounded())
            return [String(sequence), String(millis), actor, action, objectType, objectID, address, detail]
                .map { "\($0.utf8.count):\($0)" }
                .joined(separator: "|")
        }
    }

    public static func hash(_ entry: Entry, previous: String) -> String {
        let digest = SHA256.hash(data: Data((previous + "|" + entry.canonical).utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    public struct StoredRecord: Sendable, Equatable {
        public var entry: Entry
        public var previousHash: String
        public var hash: String
        public init(entry: Entry, previousHash: String, hash: String) {
            self.entry = entry
            self.previousHash = previousHash
            self.hash = hash
        }
    }

    public enum Break: Sendable, Equatable, CustomStringConvertible {
        /// The record's fields do not give its stored hash: it was edited.
        case contentChanged(sequence: Int64)
        /// The record does not point at the hash before it: a record was removed, inserted or moved.
        case linkBroken(sequence: Int64)
        /// Sequence numbers skip or repeat.
        case sequenceGap(expected: Int64, found: Int64)
        /// The chain ends before the last record the head remembers: rows were cut off the end.
        case truncated(expectedLast: Int64, foundLast: Int64)

        public var description: String {
            switch self {
            case .contentChanged(let s): "第 \(s) 条记录内容被修改（哈希不符）"
            case .linkBroken(let s): "第 \(s) 条记录与前一条的链接断开（记录被删除、插入或调换）"
            case .sequenceGap(let e, let f): "序号不连续：应为 \(e)，实为 \(f)"
            case .truncated(let e, let f): "日志被截断：最后一条应为第 \(e) 条，实为第 \(f) 条"
            }
        }
    }

    /// Walks the records in stored order and returns the first broken link, or nil.
    /// `head` is the last sequence and hash kept beside the chain, which catches a cut tail.
    public static func verify<S: Sequence>(_ records: S, head: (sequence: Int64, hash: String)?) -> Break? where S.Element == StoredRecord {
        var previous = genesis
        var expected: Int64 = 1
        var lastHash = genesis
        for record in records {
            if record.entry.sequence != expected {
                return .sequenceGap(expected: expected, found: record.entry.sequence)
            }
            if record.previousHash != previous {
                return .linkBroken(sequence: record.entry.sequence)
            }
            if hash(record.entry, previous: record.previousHash) != record.hash {
                return .contentChanged(sequence: record.entry.sequence)
            }
            previous = record.hash
            lastHash = record.hash
            expected += 1
        }
        if let head {
            if head.sequence != expected - 1 {
                return .truncated(expectedLast: head.sequence, foundLast: expected - 1)
            }
            if head.hash != lastHash {
                return .linkBroken(sequence: head.sequence)
            }
        }
        return nil
    }
}
