import Crypto
import FluentKit
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import NIOPosix
import OneVisitDomain

/// Registration, sign-in, sessions and sign-out; the use cases behind the login page
/// and `/api/v1/auth`.
public struct AccountService: Sendable {
    let persistence: Persistence
    let clock: any AppClock
    let bcryptCost: UInt8
    let sessionLifetime: TimeInterval
    let policy = LoginPolicy()

    public struct SignIn: Sendable {
        public var token: String
        public var expiresAt: Date
        public var principal: Principal
    }

    // MARK: passwords

    func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spent on unknown accounts too, so timing does not tell which login names exist.
    private static let decoyHash = Bcrypt.hash("decoy-password-0", cost: 4)

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: registration

    func register(person: ApplicantRegistration.Person, password: String, address: String) async throws -> AccountModel {
        let hash = try await hashPassword(password)
        let now = clock.now
        return try await persistence.transaction { tx in
            if try await AccountModel.query(on: tx).filter(\.$loginName == person.phone.value).first() != nil {
                throw AppError.invalid("phone", code: "account.phone_taken", "该手机号已注册，请直接登录")
            }
            if let existing = try await AccountModel.query(on: tx).filter(\.$idNumber == person.residentID.value).first() {
                // Opened at a window for a walk-in: the applicant claims it and finds their cases (R8.2.5).
                guard existing.passwordHash == Self.unclaimedPassword, existing.displayName == person.name else {
                    throw AppError.invalid("idNumber", code: "account.id_number_taken", "该身份证号码已注册，请直接登录或找回密码")
                }
                existing.passwordHash = hash
                existing.loginName = person.phone.value
                existing.phone = person.phone.value
                try await existing.update(on: tx)
                try await AuditLog.append(
                    .init(actor: "applicant:\(existing.loginName)", action: "account.claim", objectType: "account",
                          objectID: existing.id!.uuidString, address: address, detail: "person"), at: now, on: tx)
                return existing
            }
            let account = AccountModel()
            account.id = UUID()
            account.loginName = person.phone.value
            account.passwordHash = hash
            account.role = Role.applicant.code
            account.displayName = person.name
            account.applicantType = "person"
            account.idNumber = person.residentID.value
            account.phone = person.phone.value
            account.failedLogins = 0
            account.createdAt = now
            account.version = 1
            try await account.create(on: tx)
            try await AuditLog.append(
                .init(actor: "applicant:\(account.loginName)", action: "account.register", objectType: "account",
                      objectID: account.id!.uuidString, address: address, detail: "person"), at: now, on: tx)
            return account
        }
    }

    func register(organisation: ApplicantRegistration.Organisation, password: String, address: String) async throws -> AccountModel {
        let hash = try await hashPassword(password)
        let now = clock.now
        return try await persistence.transaction { tx in
            if try await AccountModel.query(on: tx).filter(\.$creditCode == organisation.creditCode.value).first() != nil {
                throw AppError.invalid("creditCode", code: "account.credit_code_taken", "该统一社会信用代码已注册，请直接登录")
            }
            let account = AccountModel()
            account.id = UUID()
            account.loginName = organisation.creditCode.value
            account.passwordHash = hash
            account.role = Role.applicant.code
            account.displayName = organisation.name
            account.applicantType = "organisation"
            account.creditCode = organisation.creditCode.value
            account.legalRepresentative = organisation.legalRepresentative
            account.contactName = organisation.contactName
            account.phone = organisation.phone.value
            account.failedLogins = 0
            account.createdAt = now
            account.version = 1
            try await account.create(on: tx)
            try await AuditLog.append(
                .init(actor: "applicant:\(account.loginName)", action: "account.register", objectType: "account",
                      objectID: account.id!.uuidString, address: address, detail: "organisation"), at: now, on: tx)
            return account
        }
    }

    // MARK: sign-in

    /// Checks password, lock and (for admins) the TOTP code; five failures lock the
    /// account for 15 minutes, and a locked account gets the same answer whatever it sends.
    public func signIn(loginName rawLogin: String, password: String, totp: String?, channel: String, address: String) async throws -> SignIn {
        let loginName = normalisedLogin(rawLogin)
        let now = clock.now
        guard let account = try await AccountModel.query(on: persistence.db).filter(\.$loginName == loginName).first(),
              let accountID = account.id
        else {
            _ = try await verifyPassword(password, hash: Self.decoyHash)
            throw AppError.invalidCredentials
        }
        let state = LoginPolicy.State(failures: account.failedLogins, lockedUntil: account.lockedUntil)
        if let until = state.lockedUntil, until > now {
            throw AppError.locked(minutes: max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up))))
        }
        let passwordOK = try await verifyPassword(password, hash: account.passwordHash)
        let role = Role(code: account.role) ?? .applicant
        var secondFactorProblem: AppError?
        if passwordOK, case .staff(let staffRole) = role, staffRole.requiresSecondFactor {
            let code = (totp ?? "").trimmingCharacters(in: .whitespaces)
            if code.isEmpty {
                secondFactorProblem = .totpRequired
            } else if !SecondFactor.verify(code: code, secret: account.totpSecret ?? "", at: now) {
                secondFactorProblem = .totpInvalid
            }
        }
        // A missing code is a question, not a failed guess; a wrong one counts.
        if secondFactorProblem == .totpRequired { throw AppError.totpRequired }
        let (outcome, newState) = policy.evaluate(state: state, credentialsValid: passwordOK && secondFactorProblem == nil, now: now)
        let actor = "\(role.code):\(account.loginName)"
        switch outcome {
        case .locked(let until):
            throw AppError.locked(minutes: max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up))))
        case .failure(let nowLocked):
            try await persistence.transaction { tx in
                try await AccountModel.query(on: tx).filter(\.$id == accountID)
                    .set(\.$failedLogins, to: newState.failures)
                    .set(\.$lockedUntil, to: newState.lockedUntil)
                    .update()
                try await AuditLog.append(
                    .init(actor: actor, action: nowLocked ? "auth.locked" : "auth.login_failed", objectType: "account",
                          objectID: accountID.uuidString, address: address, detail: "failures=\(newState.failures)"), at: now, on: tx)
            }
            if nowLocked { throw AppError.locked(minutes: Int(policy.lockDuration / 60)) }
            throw secondFactorProblem ?? AppError.invalidCredentials
        case .success:
            return try await startSession(for: account, channel: channel, address: address, resetFailures: true)
        }
    }

    /// Opens a session for an account that has just proved who it is.
    func startSession(for account: AccountModel, channel: String, address: String, resetFailures: Bool = false) async throws -> SignIn {
        let accountID = account.id!
        let now = clock.now
        let token = Tokens.random()
        let expires = now.addingTimeInterval(sessionLifetime)
        let actor = "\(account.role):\(account.loginName)"
        let sessionID = try await persistence.transaction { tx in
            if resetFailures {
                try await AccountModel.query(on: tx).filter(\.$id == accountID)
                    .set(\.$failedLogins, to: 0)
                    .set(\.$lockedUntil, to: nil)
                    .update()
            }
            let session = SessionModel(tokenHash: Self.sha256(token), accountID: accountID, channel: channel, createdAt: now, expiresAt: expires)
            try await session.create(on: tx)
            try await AuditLog.append(
                .init(actor: actor, action: "auth.login", objectType: "session", objectID: session.id!.uuidString,
                      address: address, detail: channel), at: now, on: tx)
            return session.id!
        }
        return SignIn(token: token, expiresAt: expires, principal: principal(for: account, sessionID: sessionID))
    }

    /// Phone numbers may be typed with +86 or spaces; credit codes in lower case.
    func normalisedLogin(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if let mobile = try? MobileNumber(trimmed) { return mobile.value }
        if trimmed.count == 18, let code = try? CreditCode(trimmed) { return code.value }
        return trimmed
    }

    func principal(for account: AccountModel, sessionID: UUID) -> Principal {
        Principal(
            accountID: account.id!, sessionID: sessionID, role: Role(code: account.role) ?? .applicant,
            displayName: account.displayName, loginName: account.loginName,
            departmentID: account.departmentID, regionCode: account.regionCode)
    }

    /// The account behind a session or bearer token, if the session is still valid.
    public func authenticate(token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        let db = persistence.db
        guard let session = try await SessionModel.query(on: db).filter(\.$tokenHash == Self.sha256(token)).first(),
              session.expiresAt > clock.now,
              let account = try await AccountModel.find(session.accountID, on: db)
        else { return nil }
        return principal(for: account, sessionID: session.id!)
    }

    /// Ends the session: its token stops working at once.
    public func signOut(_ principal: Principal, address: String) async throws {
        let now = clock.now
        try await persistence.transaction { tx in
            try await SessionModel.query(on: tx).filter(\.$id == principal.sessionID).delete()
            try await AuditLog.append(
                .init(actor: principal.auditName, action: "auth.logout", objectType: "session",
                      objectID: principal.sessionID.uuidString, address: address), at: now, on: tx)
        }
    }
}

/// TOTP (RFC 6238) for system admins and auditors, one step of clock drift allowed.
enum SecondFactor {
    static func verify(code: String, secret: String, at date: Date) -> Bool {
        guard !secret.isEmpty, code.count == 6, let value = Int(code) else { return false }
        let totp = TOTP(secret: secret)
        return [-30.0, 0, 30].contains { totp.compute(date: date.addingTimeInterval($0)) == value }
    }
}
