import Foundation
import OneVisitDomain

// The audit tables' rows (issue 12): plain structs on the lean data path (`TableRow`).

/// One link of the audit hash chain.
struct AuditRecordRow: TableRow {
    static let table = "audit_records"
    var id: UUID
    var sequence: Int64
    var occurredAt: Date
    var actor: String
    var action: String
    var objectType: String
    var objectID: String
    var address: String
    var detail: String
    var previousHash: String
    var hash: String

    enum CodingKeys: String, CodingKey {
        case id, sequence, actor, action, address, detail, hash
        case occurredAt = "occurred_at"
        case objectType = "object_type"
        case objectID = "object_id"
        case previousHash = "previous_hash"
    }

    /// The record as the chain check reads it.
    var stored: AuditChain.StoredRecord {
        .init(entry: .init(sequence: sequence, occurredAt: occurredAt, actor: actor, action: action,
                           objectType: objectType, objectID: objectID, address: address, detail: detail),
              previousHash: previousHash, hash: hash)
    }
}

/// The last link, kept beside the chain so that cutting rows off the end is found too.
/// One row, `id` 1, created by the first append (at sequence 0 and the genesis hash, then
/// advanced in the same transaction).
struct AuditHeadRow: TableRow {
    static let table = "audit_head"
    static let only = 1
    var id: Int
    var lastSequence: Int64
    var lastHash: String

    enum CodingKeys: String, CodingKey {
        case id
        case lastSequence = "last_sequence"
        case lastHash = "last_hash"
    }

    /// The head before the first record.
    static let genesis = AuditHeadRow(id: only, lastSequence: 0, lastHash: AuditChain.genesis)
}
