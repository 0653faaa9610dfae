import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

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

    /// Reads the head inside the transaction every time (a batch's rolled-back savepoint takes
    /// its head update with it, so nothing is cached), then writes the record and the new head:
    /// three statements on SQLite, two round trips on PostgreSQL.
    static func append(_ event: Event, at time: Date, on tx: any Database) async throws {
        let sql = tx.sql
        let head = try await lockHead(on: sql)
        let sequence = head.lastSequence + 1
        // Stored times are cut to milliseconds so the hash survives the round trip.
        let millis = (time.timeIntervalSince1970 * 1000).rounded() / 1000
        let entry = AuditChain.Entry(
            sequence: sequence, occurredAt: Date(timeIntervalSince1970: millis), actor: event.actor,
            action: event.action, objectType: event.objectType, objectID: event.objectID,
            address: event.address, detail: event.detail)
        let record = AuditRecordRow(
            id: UUID(), sequence: sequence, occurredAt: entry.occurredAt, actor: entry.actor, action: entry.action,
            objectType: entry.objectType, objectID: entry.objectID, address: entry.address, detail: entry.detail,
            previousHash: head.lastHash, hash: AuditChain.hash(entry, previous: head.lastHash))
        let insert = try sql.insert(into: AuditRecordRow.table).model(record)
        if sql.dialect.name == "postgresql" {
            // The record and the new head in one statement (a data-modifying WITH).
            try await sql.raw("""
                WITH appended AS (\(insert.insert))
                UPDATE audit_head SET last_sequence = \(bind: sequence), last_hash = \(bind: record.hash)
                WHERE id = \(bind: AuditHeadRow.only)
                """).run()
        } else {
            try await insert.run()
            try await sql.update(AuditHeadRow.table)
                .set("last_sequence", to: sequence).set("last_hash", to: record.hash)
                .where("id", .equal, AuditHeadRow.only).run()
        }
    }

    /// The head, locked on PostgreSQL until the transaction ends (`FOR UPDATE`), so one writer
    /// at a time extends the chain and two never fork it; SQLite has one writer anyway.
    static func lockHead(on sql: any SQLDatabase) async throws -> AuditHeadRow {
        for _ in 0..<2 {
            if let head = try await AuditHeadRow.select(on: sql).where("id", .equal, AuditHeadRow.only).for(.update).row(AuditHeadRow.self) {
                return head
            }
            // The first record ever: create the head so there is a row to lock. Of two first
            // writers on PostgreSQL the second waits here for the first, then locks its head.
            try await sql.insert(into: AuditHeadRow.table).model(AuditHeadRow.genesis).ignoringConflicts(with: "id").run()
        }
        throw AppError.serviceBusy
    }

    /// The first broken link, or nil when the chain is whole.
    ///
    /// The records are read before the head, each in its own statement (perhaps on another
    /// reader connection), so appends may commit in between: a head further on than the
    /// records read is caught up by reading the records up to it, which are committed with it.
    /// Only a cut tail then leaves the head beyond the last record.
    static func verify(on db: any Database) async throws -> (checked: Int, problem: AuditChain.Break?) {
        let sql = db.sql
        var records = try await AuditRecordRow.select(on: sql).orderBy("sequence").rows(AuditRecordRow.self).map(\.stored)
        let head = try await AuditHeadRow.find(AuditHeadRow.only, on: sql).map { (sequence: $0.lastSequence, hash: $0.lastHash) }
        let last = records.last?.entry.sequence ?? 0
        if let head, head.sequence > last {
            records += try await AuditRecordRow.select(on: sql)
                .where("sequence", .greaterThan, last).where("sequence", .lessThanOrEqual, head.sequence)
                .orderBy("sequence").rows(AuditRecordRow.self).map(\.stored)
        }
        return (records.count, AuditChain.verify(records, head: head))
    }
}
