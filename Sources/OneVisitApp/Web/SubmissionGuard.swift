import Foundation

/// A web form that creates something carries a one-time `submissionKey`; a second submit
/// of the same form (a double click, a reload) leads to what the first created instead of
/// creating it again — the page counterpart of the API's `Idempotency-Key`.
struct SubmissionGuard {
    let persistence: Persistence
    let clock: any AppClock

    enum Claim {
        /// First use of the key: go ahead, then `complete` or `release`.
        case fresh(IdempotencyRecordRow)
        /// Already done: where the first submit led.
        case done(String)
        /// The first submit is still running.
        case inProgress
    }

    /// Keys left in progress by a crash and keys older than a day are taken over as new
    /// (`Persistence.claimIdempotencyKey`), as for the API.
    func claim(key: String, owner: UUID, form: String) async throws -> Claim? {
        guard (8...100).contains(key.count) else { return nil }
        let scope = AccountService.sha256("\(owner)|\(form)|\(key)")
        switch try await persistence.claimIdempotencyKey(scope: scope, requestHash: "web-form", now: clock.now) {
        case .fresh(let record): return .fresh(record)
        case .taken(let existing): return existing.body.map { .done($0) } ?? .inProgress
        }
    }

    func complete(_ record: IdempotencyRecordRow, location: String) async throws {
        try await persistence.storeIdempotentAnswer(record, status: 303, contentType: nil, body: location)
    }

    func release(_ record: IdempotencyRecordRow) async {
        try? await persistence.releaseIdempotencyKey(record)
    }
}
