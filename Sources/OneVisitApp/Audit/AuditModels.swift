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

/// The first answer to a POST with an `Idempotency-Key`, replayed on a retry.
final class IdempotencyRecordModel: Model, @unchecked Sendable {
    static let schema = "idempotency_records"
    @ID(key: .id) var id: UUID?
    @Field(key: "scope_key") var scopeKey: String
    @Field(key: "request_hash") var requestHash: String
    @OptionalField(key: "status") var status: Int?
    @OptionalField(key: "content_type") var contentType: String?
    @OptionalField(key: "body") var body: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
