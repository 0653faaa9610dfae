import FluentKit
import Foundation
import OneVisitDomain

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
    /// The TOTP time step of the last code accepted: a code is good once (RFC 6238 §5.2).
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?

    init() {}

    /// A natural person's applicant account (registered online, or opened at a window to be claimed).
    init(person: ApplicantRegistration.Person, loginName: String, passwordHash: String, createdAt: Date) {
        id = UUID()
        self.loginName = loginName
        self.passwordHash = passwordHash
        role = Role.applicant.code
        displayName = person.name
        applicantType = "person"
        idNumber = person.residentID.value
        phone = person.phone.value
        failedLogins = 0
        self.createdAt = createdAt
        version = 1
    }
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

/// Sign-in failures under one login name, whether or not an account has it, so an unknown
/// name locks exactly as a known one does; keyed by the SHA-256 of the normalised name, so
/// names (and passwords typed into the name field) are not kept.
final class LoginThrottleModel: Model, @unchecked Sendable {
    static let schema = "login_throttle"
    @ID(custom: "login_hash", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}

/// A claim code a window clerk issued for a walk-in's account; only its SHA-256 is stored.
final class ClaimCodeModel: Model, @unchecked Sendable {
    static let schema = "claim_codes"
    @ID(key: .id) var id: UUID?
    @Field(key: "account_id") var accountID: UUID
    @Field(key: "code_hash") var codeHash: String
    @Field(key: "issued_by") var issuedBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @Field(key: "failures") var failures: Int

    init() {}
}
