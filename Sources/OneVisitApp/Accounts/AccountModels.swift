import FluentKit
import Foundation

/// An account: an applicant (natural or legal person) or a staff member.
final class AccountModel: Model, @unchecked Sendable {
    static let schema = "accounts"
    @ID(key: .id) var id: UUID?
    @Field(key: "login_name") var loginName: String
    @Field(key: "password_hash") var passwordHash: String
    /// `applicant` or a `StaffRole` raw value.
    @Field(key: "role") var role: String
    @Field(key: "display_name") var displayName: String
    /// `person` / `organisation` for applicants.
    @OptionalField(key: "applicant_type") var applicantType: String?
    @OptionalField(key: "id_number") var idNumber: String?
    @OptionalField(key: "credit_code") var creditCode: String?
    @OptionalField(key: "legal_representative") var legalRepresentative: String?
    @OptionalField(key: "contact_name") var contactName: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "department_id") var departmentID: UUID?
    @OptionalField(key: "region_code") var regionCode: String?
    @OptionalField(key: "totp_secret") var totpSecret: String?
    @Field(key: "failed_logins") var failedLogins: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "version") var version: Int
    /// Away (leave, training) until this time: tasks go to the B holder (R6.9).
    @OptionalField(key: "absent_until") var absentUntil: Date?

    init() {}
}

/// A signed-in session, web (cookie) or API (bearer); only the token's SHA-256 is stored.
final class SessionModel: Model, @unchecked Sendable {
    static let schema = "sessions"
    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "channel") var channel: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
    init(tokenHash: String, accountID: UUID, channel: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.accountID = accountID
        self.channel = channel
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
