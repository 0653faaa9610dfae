import Foundation
import OneVisitDomain
import SQLKit

// The account tables' rows (issue 12): plain structs on the lean data path (`TableRow`).
// Field names follow the former Fluent models; `CodingKeys` name the columns.

/// An account: an applicant (natural or legal person) or a staff member.
struct AccountRow: TableRow {
    static let table = "accounts"
    var id: UUID
    var loginName: String
    var passwordHash: String
    /// `applicant` or a `StaffRole` raw value.
    var role: String
    var displayName: String
    /// `person` / `organisation` for applicants.
    var applicantType: String?
    var idNumber: String?
    var creditCode: String?
    var legalRepresentative: String?
    var contactName: String?
    var phone: String?
    var departmentID: UUID?
    var regionCode: String?
    var totpSecret: String?
    /// Superseded by `login_throttle` (issue 10); kept as a column, no longer read.
    var failedLogins: Int = 0
    var lockedUntil: Date?
    var createdAt: Date
    var version: Int = 1
    /// Away (leave, training) until this time: tasks go to the B holder (R6.9).
    var absentUntil: Date?
    /// The TOTP time step of the last code accepted: a code is good once (RFC 6238 §5.2).
    var totpLastStep: Int64?

    enum CodingKeys: String, CodingKey {
        case id, role, phone, version
        case loginName = "login_name", passwordHash = "password_hash", displayName = "display_name"
        case applicantType = "applicant_type", idNumber = "id_number", creditCode = "credit_code"
        case legalRepresentative = "legal_representative", contactName = "contact_name"
        case departmentID = "department_id", regionCode = "region_code", totpSecret = "totp_secret"
        case failedLogins = "failed_logins", lockedUntil = "locked_until", createdAt = "created_at"
        case absentUntil = "absent_until", totpLastStep = "totp_last_step"
    }

    /// A natural person's applicant account (registered online, or opened at a window to be claimed).
    init(person: ApplicantRegistration.Person, loginName: String, passwordHash: String, createdAt: Date, id: UUID = UUID()) {
        self.init(id: id, loginName: loginName, passwordHash: passwordHash, role: Role.applicant.code, displayName: person.name,
                  applicantType: "person", idNumber: person.residentID.value, phone: person.phone.value, createdAt: createdAt)
    }

    /// A legal person's (or other organisation's) applicant account.
    init(organisation: ApplicantRegistration.Organisation, passwordHash: String, createdAt: Date, id: UUID = UUID()) {
        self.init(id: id, loginName: organisation.creditCode.value, passwordHash: passwordHash, role: Role.applicant.code,
                  displayName: organisation.name, applicantType: "organisation", creditCode: organisation.creditCode.value,
                  legalRepresentative: organisation.legalRepresentative, contactName: organisation.contactName,
                  phone: organisation.phone.value, createdAt: createdAt)
    }

    /// Every column, as a staff or seed account is made; the optional ones default to none.
    init(id: UUID = UUID(), loginName: String, passwordHash: String, role: String, displayName: String,
         applicantType: String? = nil, idNumber: String? = nil, creditCode: String? = nil,
         legalRepresentative: String? = nil, contactName: String? = nil, phone: String? = nil,
         departmentID: UUID? = nil, regionCode: String? = nil, totpSecret: String? = nil, createdAt: Date) {
        self.id = id
        self.loginName = loginName
        self.passwordHash = passwordHash
        self.role = role
        self.displayName = displayName
        self.applicantType = applicantType
        self.idNumber = idNumber
        self.creditCode = creditCode
        self.legalRepresentative = legalRepresentative
        self.contactName = contactName
        self.phone = phone
        self.departmentID = departmentID
        self.regionCode = regionCode
        self.totpSecret = totpSecret
        self.createdAt = createdAt
    }
}

/// A signed-in session, web (cookie) or API (bearer); only the token's SHA-256 is stored.
struct SessionRow: TableRow {
    static let table = "sessions"
    var id: UUID
    var tokenHash: String
    var accountID: UUID
    var channel: String
    var createdAt: Date
    var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case id, channel
        case tokenHash = "token_hash", accountID = "account_id", createdAt = "created_at", expiresAt = "expires_at"
    }
}

/// What a request's session token proves (`AccountService.authenticate`): the session and the
/// columns of its account a `Principal` holds, read in one statement (sessions JOIN accounts).
struct SessionPrincipalRow: Decodable, Sendable {
    var sessionID: UUID
    var expiresAt: Date
    var accountID: UUID
    var role: String
    var displayName: String
    var loginName: String
    var departmentID: UUID?
    var regionCode: String?

    enum CodingKeys: String, CodingKey {
        case role
        case sessionID = "session_id", expiresAt = "expires_at", accountID = "account_id"
        case displayName = "display_name", loginName = "login_name", departmentID = "department_id", regionCode = "region_code"
    }
}

/// Sign-in failures under one login name, whether or not an account has it, so an unknown
/// name locks exactly as a known one does; keyed by the SHA-256 of the normalised name, so
/// names (and passwords typed into the name field) are not kept.
struct LoginThrottleRow: TableRow {
    static let table = "login_throttle"
    var loginHash: String
    var failures: Int
    var lockedUntil: Date?
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case failures
        case loginHash = "login_hash", lockedUntil = "locked_until", updatedAt = "updated_at"
    }

    /// The count kept for this hashed login name, if any.
    static func find(loginHash: String, on db: any SQLDatabase) async throws -> LoginThrottleRow? {
        try await select(on: db).where("login_hash", .equal, loginHash).limit(1).row(LoginThrottleRow.self)
    }
}

/// A claim code a window clerk issued for a walk-in's account; only its SHA-256 is stored.
struct ClaimCodeRow: TableRow {
    static let table = "claim_codes"
    var id: UUID
    var accountID: UUID
    var codeHash: String
    var issuedBy: UUID
    var createdAt: Date
    var expiresAt: Date
    var failures: Int

    enum CodingKeys: String, CodingKey {
        case id, failures
        case accountID = "account_id", codeHash = "code_hash", issuedBy = "issued_by"
        case createdAt = "created_at", expiresAt = "expires_at"
    }
}
