import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// Appends to and checks the audit hash chain. `append` runs inside the caller's
/// transaction, so the record commits with the write it describes.
enum AuditLog {
    struct Event: Sendable {
        var actor: String
        var action: String
        var objectType: String
        var objectID: String
        var address: String
        var detail: String = ""
    }

    static func append(_ event: Event, at time: Date, on tx: any Database) async throws {
        if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // One writer at a time extends the chain; held until this transaction ends.
            try await sql.raw("SELECT pg_advisory_xact_lock(7010001)").run()
        }
        let head = try await AuditHeadModel.find(1, on: tx)
        let sequence = (head?.lastSequence ?? 0) + 1
        let previous = head?.lastHash ?? AuditChain.genesis
        // Stored times are cut to milliseconds so the hash survives the round trip.
        let millis = (time.timeIntervalSince1970 * 1000).rounded() / 1000
        let entry = AuditChain.Entry(
            sequence: sequence, occurredAt: Date(timeIntervalSince1970: millis), actor: event.actor,
            action: event.action, objectType: event.objectType, objectID: event.objectID,
            address: event.address, detail: event.detail)
        let record = AuditRecordModel()
        record.sequence = sequence
        record.occurredAt = entry.occurredAt
        record.actor = entry.actor
        record.action = entry.action
        record.objectType = entry.objectType
        record.objectID = entry.objectID
        record.address = entry.address
        record.detail = entry.detail
        record.previousHash = previous
        record.hash = AuditChain.hash(entry, previous: previous)
        try await record.create(on: tx)
        if let head {
            head.lastSequence = sequence
            head.lastHash = record.hash
            try await head.update(on: tx)
        } else {
            let newHead = AuditHeadModel()
            newHead.id = 1
            newHead.lastSequence = sequence
            newHead.lastHash = record.hash
            try await newHead.create(on: tx)
        }
    }

    /// The first broken link, or nil when the chain is whole.
    static func verify(on db: any Database) async throws -> (checked: Int, problem: AuditChain.Break?) {
        let rows = try await AuditRecordModel.query(on: db).sort(\.$sequence).all()
        let records = rows.map { row in
            AuditChain.StoredRecord(
                entry: .init(sequence: row.sequence, occurredAt: row.occurredAt, actor: row.actor, action: row.action,
                             objectType: row.objectType, objectID: row.objectID, address: row.address, detail: row.detail),
                previousHash: row.previousHash, hash: row.hash)
        }
        let head = try await AuditHeadModel.find(1, on: db).map { (sequence: $0.lastSequence, hash: $0.lastHash) }
        return (records.count, AuditChain.verify(records, head: head))
    }
}
