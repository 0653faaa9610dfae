import FluentKit
import Foundation

/// One link of the audit hash chain.
final class AuditRecordModel: Model, @unchecked Sendable {
    static let schema = "audit_records"
    @ID(key: .id) var id: UUID?
    @Field(key: "sequence") var sequence: Int64
    @Field(key: "occurred_at") var occurredAt: Date
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "object_type") var objectType: String
    @Field(key: "object_id") var objectID: String
    @Field(key: "address") var address: String
    @Field(key: "detail") var detail: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}
}

/// The last link, kept beside the chain so that cutting rows off the end is found too.
final class AuditHeadModel: Model, @unchecked Sendable {
    static let schema = "audit_head"
    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "last_sequence") var lastSequence: Int64
    @Field(key: "last_hash") var lastHash: String

    init() {}
}

/// The first answer to a POST with an `Idempotency-Key`, replayed on a retry (or, for a
/// web form's `submissionKey`, where it led). Kept a day (`Persistence.idempotencyRetention`).
final class IdempotencyRecordModel: Model, @unchecked Sendable {
    static let schema = "idempotency_records"
    @ID(key: .id) var id: UUID?
    /// A hash of caller, path and key: the key itself is not kept.
    @Field(key: "scope_key") var scopeKey: String
    @Field(key: "request_hash") var requestHash: String
    /// NULL while the first request runs.
    @OptionalField(key: "status") var status: Int?
    @OptionalField(key: "content_type") var contentType: String?
    /// NULL with a status: the answer held a secret (`Cache-Control: no-store`) and was not
    /// kept, so it cannot be replayed.
    @OptionalField(key: "body") var body: String?
    /// When the key was claimed, or taken over after a crash (the lease counts from here).
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
