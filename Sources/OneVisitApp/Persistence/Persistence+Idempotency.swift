import FluentKit
import Foundation
import SQLKit

/// The first answer to a POST with an `Idempotency-Key`, replayed on a retry (or, for a
/// web form's `submissionKey`, where it led). Kept a day (`Persistence.idempotencyRetention`).
struct IdempotencyRecordRow: TableRow {
    static let table = "idempotency_records"
    var id: UUID
    /// A hash of caller, path and key: the key itself is not kept.
    var scopeKey: String
    var requestHash: String
    /// NULL while the first request runs.
    var status: Int?
    var contentType: String?
    /// NULL with a status: the answer held a secret (`Cache-Control: no-store`) and was not
    /// kept, so it cannot be replayed.
    var body: String?
    /// When the key was claimed, or taken over after a crash (the lease counts from here).
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, status, body
        case scopeKey = "scope_key"
        case requestHash = "request_hash"
        case contentType = "content_type"
        case createdAt = "created_at"
    }
}

/// The `idempotency_records` table, shared by the API's `Idempotency-Key` and the web
/// forms' `submissionKey`: who claims a key, when a claim left by a crash may be taken
/// over, and when a record is forgotten. Every write is a transaction of its own (the
/// writer's path), never a write through `db`.
extension Persistence {
    /// A request still `in progress` after this long was cut off (the process crashed or
    /// was killed between claiming the key and storing the answer): a retry takes the key
    /// over and runs. No request runs this long; if one ever did, it would run twice. A crash
    /// after the route's commit but before the answer was stored also runs twice: the
    /// answer is not stored in the route's own transaction.
    static let idempotencyLease: TimeInterval = 60
    /// A key is remembered this long; an older record counts as absent and is deleted by
    /// `pruneIdempotencyRecords(olderThan:)`.
    static let idempotencyRetention: TimeInterval = 24 * 3600

    enum IdempotencyClaim: Sendable {
        /// The caller holds the key: run, then store the answer or delete the record.
        case fresh(IdempotencyRecordRow)
        /// Someone holds the key: finished (`status` set) or still running within its lease.
        case taken(IdempotencyRecordRow)
    }

    /// Claims `scope` for a request whose body hashes to `requestHash`, in one transaction:
    /// an insert that yields to an existing claim (`ON CONFLICT DO NOTHING`), else the claim
    /// found. A record past its lease (in progress) or past the retention (any) is taken over
    /// with one conditional UPDATE, so of two retries racing for it exactly one gets it.
    func claimIdempotencyKey(scope: String, requestHash: String, now: Date) async throws -> IdempotencyClaim {
        try await transaction { tx in
            let sql = tx.sql
            let record = IdempotencyRecordRow(id: UUID(), scopeKey: scope, requestHash: requestHash, createdAt: now)
            for _ in 0..<3 {
                let inserted = try await sql.insert(into: IdempotencyRecordRow.table).model(record, nilEncodingStrategy: .asNil)
                    .ignoringConflicts(with: "scope_key").returning("id").all()
                if !inserted.isEmpty { return .fresh(record) }
                // Someone claimed it first.
                guard let existing = try await IdempotencyRecordRow.select(on: sql).where("scope_key", .equal, scope).row(IdempotencyRecordRow.self) else {
                    continue  // deleted in between (its request failed): claim again
                }
                let leaseEnd = now.addingTimeInterval(-Self.idempotencyLease)
                let expiry = now.addingTimeInterval(-Self.idempotencyRetention)
                // Past its lease only for the same body: another body under the key stays a 422.
                let stale = existing.createdAt < expiry
                    || (existing.status == nil && existing.createdAt < leaseEnd && existing.requestHash == requestHash)
                guard stale else { return .taken(existing) }
                let won = try await sql.raw("""
                    UPDATE idempotency_records
                    SET request_hash = \(bind: requestHash), status = NULL, content_type = NULL, body = NULL, created_at = \(bind: now)
                    WHERE scope_key = \(bind: scope)
                      AND ((status IS NULL AND created_at < \(bind: leaseEnd) AND request_hash = \(bind: requestHash))
                           OR created_at < \(bind: expiry))
                    RETURNING *
                    """).first(decoding: IdempotencyRecordRow.self)
                if let won { return .fresh(won) }
                // Another retry took it over first: it is now in progress, within its lease.
            }
            throw AppError.serviceBusy
        }
    }

    /// Stores the answer to the request that claimed `record` (`body` nil: an answer that held
    /// a secret, of which only the status is kept).
    func storeIdempotentAnswer(_ record: IdempotencyRecordRow, status: Int, contentType: String?, body: String?) async throws {
        try await transaction { tx in
            try await tx.sql.update(IdempotencyRecordRow.table)
                .set("status", to: status).set("content_type", to: contentType).set("body", to: body)
                .where("id", .equal, record.id).run()
        }
    }

    /// Forgets the claim of a request that failed, so that a retry runs.
    func releaseIdempotencyKey(_ record: IdempotencyRecordRow) async throws {
        try await transaction { tx in
            try await tx.sql.delete(from: IdempotencyRecordRow.table).where("id", .equal, record.id).run()
        }
    }

    /// Deletes the records older than `cutoff` (normally `now - idempotencyRetention`);
    /// returns how many. Meant for the periodic jobs.
    @discardableResult
    func pruneIdempotencyRecords(olderThan cutoff: Date) async throws -> Int {
        try await transaction { tx in
            try await tx.sql.raw("DELETE FROM idempotency_records WHERE created_at < \(bind: cutoff) RETURNING id").all().count
        }
    }
}
