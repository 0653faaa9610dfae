import FluentKit
import FluentSQL
import Foundation

/// The `idempotency_records` table, shared by the API's `Idempotency-Key` and the web
/// forms' `submissionKey`: who claims a key, when a claim left by a crash may be taken
/// over, and when a record is forgotten.
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

    enum IdempotencyClaim {
        /// The caller holds the key: run, then store the answer or delete the record.
        case fresh(IdempotencyRecordModel)
        /// Someone holds the key: finished (`status` set) or still running within its lease.
        case taken(IdempotencyRecordModel)
    }

    /// Claims `scope` for a request whose body hashes to `requestHash`. A record past its
    /// lease (in progress) or past the retention (any) is taken over with one conditional
    /// UPDATE, so of two retries racing for it exactly one gets it.
    func claimIdempotencyKey(scope: String, requestHash: String, now: Date) async throws -> IdempotencyClaim {
        let db = self.db
        var attempts = 0
        while true {
            attempts += 1
            let record = IdempotencyRecordModel()
            record.scopeKey = scope
            record.requestHash = requestHash
            record.createdAt = now
            do {
                try await record.create(on: db)
                return .fresh(record)
            } catch {
                // Usually the unique scope_key: someone claimed it first. Any other error
                // (a busy database) leaves no record to find and is thrown as it is.
                guard let existing = try await IdempotencyRecordModel.query(on: db).filter(\.$scopeKey == scope).first() else {
                    guard attempts < 3 else { throw error }
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
                    RETURNING id
                    """).all()
                if !won.isEmpty, let mine = try await IdempotencyRecordModel.query(on: db).filter(\.$scopeKey == scope).first() {
                    return .fresh(mine)
                }
                // Another retry took it over first: it is now in progress, within its lease.
                guard attempts < 3 else { throw error }
            }
        }
    }

    /// Deletes the records older than `cutoff` (normally `now - idempotencyRetention`);
    /// returns how many. Meant for the periodic jobs.
    @discardableResult
    func pruneIdempotencyRecords(olderThan cutoff: Date) async throws -> Int {
        try await sql.raw("DELETE FROM idempotency_records WHERE created_at < \(bind: cutoff) RETURNING id").all().count
    }
}
