import Crypto
import FluentKit
import FluentSQL
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import NIOPosix
import OneVisitDomain
import Synchronization

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

    /// Marks a hash whose bcrypt input was base64(SHA-256(password)): passwords longer than
    /// the 72 bytes bcrypt reads (see PasswordPolicy). Hashes without it are plain bcrypt, as
    /// every hash made before was, and keep verifying as they did.
    static let prehashedPrefix = "sha256+"

    static func prehashed(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        let long = password.utf8.count > PasswordPolicy.bcryptInputLimit
        let input = long ? Self.prehashed(password) : password
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) }
        return long ? Self.prehashedPrefix + hash : hash
    }

    /// Always one bcrypt at the configured cost, whether or not there is an account, its
    /// hash is usable (walk-in accounts have none) or the password could be right, so the
    /// time taken tells nothing. A NUL would end bcrypt's input early: never a match.
    func verifyPassword(_ password: String, hash stored: String?) async throws -> Bool {
        var hash = stored ?? ""
        var input = password
        if hash.hasPrefix(Self.prehashedPrefix) {
            hash.removeFirst(Self.prehashedPrefix.count)
            input = Self.prehashed(password)
        }
        let usable = hash.hasPrefix("$2") && !password.unicodeScalars.contains("\u{0}")
        if !usable { hash = try await decoyHash() }
        let (checkedInput, checkedHash) = (input, hash)
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(checkedInput, hash: checkedHash) }
        return usable && matches
    }

    /// The decoy at this service's cost: the cost of every real hash it makes.
    func decoyHash() async throws -> String { try await Self.decoyHash(cost: bcryptCost) }

    private static let decoys = Mutex<[UInt8: String]>([:])

    /// A hash at `cost` that no password is checked against for real, made once per cost
    /// on first use: spent on unknown login names so they take as long as known ones.
    static func decoyHash(cost: UInt8) async throws -> String {
        if let hash = decoys.withLock({ $0[cost] }) { return hash }
        let made = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash("decoy-password-0", cost: cost) }
        return decoys.withLock { cache in
            if let first = cache[cost] { return first }
            cache[cost] = made
            return made
        }
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: registration

    static let claimCodeRequired = AppError.invalid(
        "claimCode", code: "account.claim_code_required", "该身份证号码已在政务服务大厅登记办件，请凭窗口出具的账号认领码注册")
    static let claimCodeRefused = AppError.invalid(
        "claimCode", code: "account.claim_code_invalid", "姓名或账号认领码不正确，或认领码已失效。请核对后重试，或到政务服务大厅窗口重新出具认领码")

    /// A new account for a natural person — or the account a clerk opened for them at a
    /// window (R8.2.5), which is handed over only with the claim code the clerk printed and
    /// the name given there: a name and ID number are printed on too many forms to prove
    /// anything. A refused claim changes nothing but the code's count of wrong tries.
    func register(person: ApplicantRegistration.Person, password: String, address: String, claimCode: String? = nil) async throws -> AccountModel {
        let hash = try await hashPassword(password)
        let now = clock.now
        let typedCode = claimCode.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false
        let codeHash = claimCode.flatMap(ClaimCode.normalised).map(Self.sha256)
        let outcome: Committed<AccountModel> = try await persistence.transaction { tx in
            let walkIn = try await AccountModel.query(on: tx).filter(\.$idNumber == person.residentID.value).first()
            // The walk-in's own account may already carry the phone as its login name.
            if let holder = try await AccountModel.query(on: tx).filter(\.$loginName == person.phone.value).first(),
               holder.id != walkIn?.id || holder.passwordHash != Self.unclaimedPassword {
                throw AppError.invalid("phone", code: "account.phone_taken", "该手机号已注册，请直接登录")
            }
            let idTaken = AppError.invalid("idNumber", code: "account.id_number_taken", "该身份证号码已注册，请直接登录或找回密码")
            guard let walkInID = walkIn?.id else {
                return .done(try await Self.createPerson(person, hash: hash, now: now, address: address, on: tx))
            }
            guard walkIn?.passwordHash == Self.unclaimedPassword else { throw idTaken }
            guard typedCode else { throw Self.claimCodeRequired }
            // Parallel guesses at one account's code take turns, so every wrong one counts.
            try await Self.lockRow(AccountModel.schema, id: walkInID, on: tx)
            guard let account = try await AccountModel.find(walkInID, on: tx), account.passwordHash == Self.unclaimedPassword else { throw idTaken }
            let issued = try await ClaimCodeModel.query(on: tx).filter(\.$accountID == walkInID).first()
            let matches = codeHash != nil && codeHash == issued?.codeHash && account.displayName == person.name
            let judgement = issued.map { ClaimCode.judge(matches: matches, failures: $0.failures, expiresAt: $0.expiresAt, now: now) } ?? .unusable
            let refusal = AuditLog.Event(actor: "anonymous", action: "account.claim_refused", objectType: "account",
                                         objectID: walkInID.uuidString, address: address)
            switch judgement {
            case .accept:
                try await issued?.delete(on: tx)
                account.passwordHash = hash
                account.loginName = person.phone.value
                account.phone = person.phone.value
                account.version += 1
                try await account.update(on: tx)
                try await AuditLog.append(
                    .init(actor: "applicant:\(account.loginName)", action: "account.claim", objectType: "account",
                          objectID: walkInID.uuidString, address: address, detail: "person, claim code of \(issued?.issuedBy.uuidString ?? "")"),
                    at: now, on: tx)
                return .done(account)
            case .refuse(let failures, let burnt):
                if let issued {
                    if burnt {
                        try await issued.delete(on: tx)
                    } else {
                        issued.failures = failures
                        try await issued.update(on: tx)
                    }
                }
                var event = refusal
                event.detail = burnt ? "failures=\(failures), code burnt" : "failures=\(failures)"
                try await AuditLog.append(event, at: now, on: tx)
                return .refused(Self.claimCodeRefused)
            case .unusable:
                try await issued?.delete(on: tx)
                var event = refusal
                event.detail = issued == nil ? "no code issued" : "code expired or burnt"
                try await AuditLog.append(event, at: now, on: tx)
                return .refused(Self.claimCodeRefused)
            }
        }
        return try outcome.get()
    }

    /// What a transaction that may refuse ends in: a refusal (a wrong claim code, a wrong
    /// password) is returned, not thrown, so the count it wrote commits with it.
    private enum Committed<Value: Sendable>: Sendable {
        case done(Value)
        case refused(AppError)

        func get() throws -> Value {
            switch self {
            case .done(let value): return value
            case .refused(let error): throw error
            }
        }
    }

    private static func createPerson(_ person: ApplicantRegistration.Person, hash: String, now: Date, address: String, on tx: any Database) async throws -> AccountModel {
        let account = AccountModel(person: person, loginName: person.phone.value, passwordHash: hash, createdAt: now)
        try await account.create(on: tx)
        try await AuditLog.append(
            .init(actor: "applicant:\(account.loginName)", action: "account.register", objectType: "account",
                  objectID: account.id!.uuidString, address: address, detail: "person"), at: now, on: tx)
        return account
    }

    /// Holds one row until the transaction ends (`FOR UPDATE` on PostgreSQL). SQLite has no
    /// row locks and needs none: its single connection runs one transaction at a time.
    static func lockRow(_ table: String, column: String = "id", id: some Encodable & Sendable, on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase else { return }
        try await sql.select().column(column).from(table).where(column, .equal, id).for(.update).run()
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

    /// Checks password, lock and (for admins) the TOTP code. Five failures under one login
    /// name — an account's, or a name no account has, alike — lock it for 15 minutes, and a
    /// locked name gets the same answer whatever it sends.
    ///
    /// The slow password check runs outside any transaction; the failure count is then read,
    /// judged by `LoginPolicy` and written back in one transaction that holds the name's
    /// row, so parallel attempts take turns and none is lost: of 40 wrong passwords sent at
    /// once the fifth locks, and the right one after them is refused.
    public func signIn(loginName rawLogin: String, password: String, totp: String?, channel: String, address: String) async throws -> SignIn {
        let loginName = normalisedLogin(rawLogin)
        let throttleKey = Self.sha256(loginName)
        let now = clock.now
        if let throttle = try await LoginThrottleModel.find(throttleKey, on: persistence.db), let until = throttle.lockedUntil, until > now {
            throw Self.locked(until: until, now: now)
        }
        // A name no account can have (a NUL breaks a PostgreSQL query) is looked up nowhere.
        let account = Self.couldBeLoginName(loginName)
            ? try await AccountModel.query(on: persistence.db).filter(\.$loginName == loginName).first() : nil
        let passwordOK = try await verifyPassword(password, hash: account?.passwordHash)
        let role = account.map { Role(code: $0.role) ?? .applicant }
        let needsCode = if case .staff(let staffRole)? = role { staffRole.requiresSecondFactor } else { false }
        let code = (totp ?? "").trimmingCharacters(in: .whitespaces)
        let steps = needsCode ? SecondFactor.matchingSteps(code: code, secret: account?.totpSecret ?? "", at: now) : []
        // A hash made before long passwords were pre-hashed is replaced once the whole password proved right.
        var upgradedHash: String?
        if passwordOK, let stored = account?.passwordHash, !stored.hasPrefix(Self.prehashedPrefix), password.utf8.count > PasswordPolicy.bcryptInputLimit {
            upgradedHash = try await hashPassword(password)
        }
        let policy = self.policy
        let newHash = upgradedHash
        let attempt: Committed<SignIn> = try await persistence.transaction { tx in
            let state = try await Self.lockThrottle(throttleKey, now: now, on: tx)
            var secondFactor = LoginPolicy.SecondFactor.notRequired
            var freshStep: Int64?
            if needsCode, let accountID = account?.id {
                if code.isEmpty {
                    secondFactor = .missing
                } else {
                    // A code is good once (RFC 6238 §5.2), even for two requests at the same instant.
                    try await Self.lockRow(AccountModel.schema, id: accountID, on: tx)
                    let last = try await AccountModel.find(accountID, on: tx)?.totpLastStep
                    freshStep = steps.filter { $0 > (last ?? .min) }.max()
                    secondFactor = .given(valid: freshStep != nil)
                }
            }
            let refusal: LoginPolicy.Refusal? = account == nil ? .invalidCredentials : LoginPolicy.refusal(passwordValid: passwordOK, secondFactor: secondFactor)
            let (decision, newState) = policy.evaluate(state: state, credentialsValid: refusal == nil, now: now)
            switch decision {
            case .locked(let until):
                return .refused(Self.locked(until: until, now: now))
            case .failure(let nowLocked):
                try await LoginThrottleModel.query(on: tx).filter(\.$id == throttleKey)
                    .set(\.$failures, to: newState.failures)
                    .set(\.$lockedUntil, to: newState.lockedUntil)
                    .set(\.$updatedAt, to: now)
                    .update()
                let who = account.map { "\($0.role):\($0.loginName)" } ?? "anonymous"
                try await AuditLog.append(
                    .init(actor: who, action: nowLocked ? "auth.locked" : "auth.login_failed", objectType: account == nil ? "login" : "account",
                          objectID: account?.id?.uuidString ?? throttleKey, address: address,
                          detail: "failures=\(newState.failures)\(secondFactor == .missing ? ", totp missing" : "")"), at: now, on: tx)
                return .refused(nowLocked ? Self.locked(until: newState.lockedUntil ?? now, now: now) : Self.answer(refusal ?? .invalidCredentials))
            case .success:
                guard let account else { return .refused(.invalidCredentials) }
                try await LoginThrottleModel.query(on: tx).filter(\.$id == throttleKey).delete()
                if freshStep != nil || newHash != nil {
                    let update = AccountModel.query(on: tx).filter(\.$id == account.id!)
                    if let freshStep { update.set(\.$totpLastStep, to: freshStep) }
                    if let newHash { update.set(\.$passwordHash, to: newHash) }
                    try await update.update()
                }
                return .done(try await self.openSession(for: account, channel: channel, address: address, now: now, on: tx))
            }
        }
        return try attempt.get()
    }


    static let secondFactorRefused = AppError(.unauthorized, code: "auth.totp_invalid", title: "密码或动态验证码错误（每个验证码只能使用一次）", field: "totp")

    static func answer(_ refusal: LoginPolicy.Refusal) -> AppError {
        switch refusal {
        case .invalidCredentials: .invalidCredentials
        case .secondFactorRequired: .totpRequired
        case .secondFactorInvalid: secondFactorRefused
        }
    }

    static func locked(until: Date, now: Date) -> AppError {
        .locked(minutes: max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up))))
    }

    /// Login names are phone numbers, credit codes, staff IDs or `id:` + an ID number.
    static func couldBeLoginName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && !PasswordPolicy.containsControlCharacters(name)
    }

    /// The failure count of a login name, its row held until the transaction ends.
    static func lockThrottle(_ key: String, now: Date, on tx: any Database) async throws -> LoginPolicy.State {
        if let sql = tx as? any SQLDatabase {
            try await sql.insert(into: LoginThrottleModel.schema)
                .columns("login_hash", "failures", "updated_at")
                .values(SQLBind(key), SQLBind(0), SQLBind(now))
                .ignoringConflicts(with: "login_hash")
                .run()
        }
        try await lockRow(LoginThrottleModel.schema, column: "login_hash", id: key, on: tx)
        let row = try await LoginThrottleModel.find(key, on: tx)
        return LoginPolicy.State(failures: row?.failures ?? 0, lockedUntil: row?.lockedUntil)
    }

    /// Forgets counts of names not tried since `cutoff` and not locked now; for a periodic job.
    func pruneLoginThrottle(olderThan cutoff: Date) async throws {
        let now = clock.now
        try await persistence.transaction { tx in
            try await LoginThrottleModel.query(on: tx)
                .filter(\.$updatedAt < cutoff)
                .group(.or) { $0.filter(\.$lockedUntil == nil).filter(\.$lockedUntil < now) }
                .delete()
        }
    }

    /// Opens a session for an account that has just proved who it is.
    func startSession(for account: AccountModel, channel: String, address: String) async throws -> SignIn {
        let now = clock.now
        return try await persistence.transaction { tx in
            try await self.openSession(for: account, channel: channel, address: address, now: now, on: tx)
        }
    }

    func openSession(for account: AccountModel, channel: String, address: String, now: Date, on tx: any Database) async throws -> SignIn {
        let token = Tokens.random()
        let expires = now.addingTimeInterval(sessionLifetime)
        let session = SessionModel(tokenHash: Self.sha256(token), accountID: account.id!, channel: channel, createdAt: now, expiresAt: expires)
        try await session.create(on: tx)
        try await AuditLog.append(
            .init(actor: "\(account.role):\(account.loginName)", action: "auth.login", objectType: "session", objectID: session.id!.uuidString,
                  address: address, detail: channel), at: now, on: tx)
        return SignIn(token: token, expiresAt: expires, principal: principal(for: account, sessionID: session.id!))
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
    static let step: TimeInterval = 30

    /// The time steps (the current one and one either side) whose code is `code`; the
    /// caller refuses any not later than the last one the account used.
    static func matchingSteps(code: String, secret: String, at date: Date) -> [Int64] {
        guard !secret.isEmpty, code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(code) else { return [] }
        let totp = TOTP(secret: secret)
        let current = Int64((date.timeIntervalSince1970 / step).rounded(.down))
        return (current - 1...current + 1).filter { totp.compute(date: Date(timeIntervalSince1970: Double($0) * step)) == value }
    }
}
