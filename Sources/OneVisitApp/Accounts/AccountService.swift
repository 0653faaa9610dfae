import Crypto
import FluentKit
import Foundation
import HummingbirdBcrypt
import HummingbirdOTP
import NIOPosix
import OneVisitDomain
import SQLKit
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
    static let organisationClaimCodeRequired = AppError.invalid(
        "claimCode", code: "account.claim_code_required", "该统一社会信用代码已在政务服务大厅登记办件，请凭窗口出具的账号认领码注册")
    static let claimCodeRefused = AppError.invalid(
        "claimCode", code: "account.claim_code_invalid",
        "姓名、手机号码或账号认领码不正确，或认领码已失效。手机号码须与窗口登记的一致；请核对后重试，或到政务服务大厅窗口重新出具认领码")

    /// A new account for a natural person — or the account a clerk opened for them at a
    /// window (R8.2.5), which is handed over only with the claim code the clerk printed, the
    /// name given there and the SAME phone the clerk recorded: a name and ID number are
    /// printed on too many forms to prove anything. A refused claim changes nothing but the
    /// code's count of wrong tries.
    func register(person: ApplicantRegistration.Person, password: String, address: String, claimCode: String? = nil) async throws -> AccountRow {
        let hash = try await hashPassword(password)
        let now = clock.now
        let claimant = Claimant(name: person.name, phone: person.phone.value, claimCode: claimCode, isOrganisation: false)
        let outcome: Committed<AccountRow> = try await persistence.transaction { tx in
            let sql = tx.sql
            let walkIn = try await AccountRow.select(on: sql).where("id_number", .equal, person.residentID.value).limit(1).row(AccountRow.self)
            // The walk-in's own account may carry the phone as its login name, and so may another
            // walk-in's unclaimed one (a family's one phone): a claim takes it over from the latter.
            if let holder = try await AccountRow.select(on: sql).where("login_name", .equal, person.phone.value).limit(1).row(AccountRow.self),
               holder.id != walkIn?.id, walkIn == nil || Self.isClaimed(holder) {
                throw AppError.invalid("phone", code: "account.phone_taken", "该手机号已注册，请直接登录")
            }
            let idTaken = AppError.invalid("idNumber", code: "account.id_number_taken", "该身份证号码已注册，请直接登录或找回密码")
            guard let walkIn else {
                return .done(try await Self.createPerson(person, hash: hash, now: now, address: address, on: tx))
            }
            guard !Self.isClaimed(walkIn) else { throw idTaken }
            return try await self.claim(walkIn.id, by: claimant, passwordHash: hash, taken: idTaken, now: now, address: address, on: tx)
        }
        return try outcome.get()
    }

    /// What a transaction that may refuse ends in: a refusal (a wrong claim code, a wrong
    /// password) is returned, not thrown, so the count it wrote commits with it.
    enum Committed<Value: Sendable>: Sendable {
        case done(Value)
        case refused(AppError)

        func get() throws -> Value {
            switch self {
            case .done(let value): return value
            case .refused(let error): throw error
            }
        }
    }

    private static func createPerson(_ person: ApplicantRegistration.Person, hash: String, now: Date, address: String, on tx: any Database) async throws -> AccountRow {
        let account = AccountRow(person: person, loginName: person.phone.value, passwordHash: hash, createdAt: now)
        try await account.insert(on: tx.sql)
        try await AuditLog.append(
            .init(actor: "applicant:\(account.loginName)", action: "account.register", objectType: "account",
                  objectID: account.id.uuidString, address: address, detail: "person"), at: now, on: tx)
        return account
    }

    /// Holds one row until the transaction ends (`FOR UPDATE` on PostgreSQL). SQLite has no
    /// row locks and needs none: its one writer runs one transaction at a time.
    static func lockRow(_ table: String, column: String = "id", id: some Encodable & Sendable, on tx: any Database) async throws {
        try await tx.sql.select().column(column).from(table).where(column, .equal, id).for(.update).run()
    }

    /// The row with this `id`, read and held until the transaction ends, in one statement
    /// (`SELECT … FOR UPDATE` on PostgreSQL; see `lockRow`).
    static func lockedRow<R: TableRow>(_ type: R.Type, id: UUID, on sql: any SQLDatabase) async throws -> R? {
        try await R.select(on: sql).where("id", .equal, id).for(.update).limit(1).row(R.self)
    }

    /// A new account for a legal person or other organisation — or the one a clerk opened for
    /// it at a window (R8.2.5), claimed like a person's: by USCC, with the claim code, the
    /// name and the phone recorded there.
    func register(organisation: ApplicantRegistration.Organisation, password: String, address: String, claimCode: String? = nil) async throws -> AccountRow {
        let hash = try await hashPassword(password)
        let now = clock.now
        let claimant = Claimant(name: organisation.name, phone: organisation.phone.value, claimCode: claimCode, isOrganisation: true)
        let outcome: Committed<AccountRow> = try await persistence.transaction { tx in
            let sql = tx.sql
            let taken = AppError.invalid("creditCode", code: "account.credit_code_taken", "该统一社会信用代码已注册，请直接登录")
            if let walkIn = try await AccountRow.select(on: sql).where("credit_code", .equal, organisation.creditCode.value).limit(1).row(AccountRow.self) {
                guard !Self.isClaimed(walkIn) else { throw taken }
                return try await self.claim(walkIn.id, by: claimant, passwordHash: hash, taken: taken, now: now, address: address, on: tx)
            }
            let account = AccountRow(organisation: organisation, passwordHash: hash, createdAt: now)
            try await account.insert(on: sql)
            try await AuditLog.append(
                .init(actor: "applicant:\(account.loginName)", action: "account.register", objectType: "account",
                      objectID: account.id.uuidString, address: address, detail: "organisation"), at: now, on: tx)
            return .done(account)
        }
        return try outcome.get()
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
        let reads = persistence.sql
        if let throttle = try await LoginThrottleRow.find(loginHash: throttleKey, on: reads), let until = throttle.lockedUntil, until > now {
            throw Self.locked(until: until, now: now)
        }
        // A name no account can have (a NUL breaks a PostgreSQL query) is looked up nowhere.
        let account = Self.couldBeLoginName(loginName)
            ? try await AccountRow.select(on: reads).where("login_name", .equal, loginName).limit(1).row(AccountRow.self) : nil
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
            let sql = tx.sql
            let state = try await Self.lockThrottle(throttleKey, now: now, on: tx)
            var secondFactor = LoginPolicy.SecondFactor.notRequired
            var freshStep: Int64?
            if needsCode, let accountID = account?.id {
                if code.isEmpty {
                    secondFactor = .missing
                } else {
                    // A code is good once (RFC 6238 §5.2), even for two requests at the same instant.
                    let last = try await sql.select().column("totp_last_step").from(AccountRow.table)
                        .where("id", .equal, accountID).for(.update).limit(1).first()?
                        .decode(column: "totp_last_step", as: Int64?.self)
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
                try await sql.update(LoginThrottleRow.table)
                    .set("failures", to: newState.failures)
                    .set("locked_until", to: newState.lockedUntil.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null)
                    .set("updated_at", to: now)
                    .where("login_hash", .equal, throttleKey)
                    .run()
                let who = account.map { "\($0.role):\($0.loginName)" } ?? "anonymous"
                try await AuditLog.append(
                    .init(actor: who, action: nowLocked ? "auth.locked" : "auth.login_failed", objectType: account == nil ? "login" : "account",
                          objectID: account?.id.uuidString ?? throttleKey, address: address,
                          detail: "failures=\(newState.failures)\(secondFactor == .missing ? ", totp missing" : "")"), at: now, on: tx)
                return .refused(nowLocked ? Self.locked(until: newState.lockedUntil ?? now, now: now) : Self.answer(refusal ?? .invalidCredentials))
            case .success:
                guard let account else { return .refused(.invalidCredentials) }
                try await sql.delete(from: LoginThrottleRow.table).where("login_hash", .equal, throttleKey).run()
                if freshStep != nil || newHash != nil {
                    let update = sql.update(AccountRow.table).where("id", .equal, account.id)
                    if let freshStep { update.set("totp_last_step", to: freshStep) }
                    if let newHash { update.set("password_hash", to: newHash) }
                    try await update.run()
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
        let sql = tx.sql
        try await sql.insert(into: LoginThrottleRow.table)
            .columns("login_hash", "failures", "updated_at")
            .values(SQLBind(key), SQLBind(0), SQLBind(now))
            .ignoringConflicts(with: "login_hash")
            .run()
        let row = try await LoginThrottleRow.select(on: sql).where("login_hash", .equal, key).for(.update).limit(1).row(LoginThrottleRow.self)
        return LoginPolicy.State(failures: row?.failures ?? 0, lockedUntil: row?.lockedUntil)
    }

    /// Forgets counts of names not tried since `cutoff` and not locked now; for a periodic job.
    func pruneLoginThrottle(olderThan cutoff: Date) async throws {
        let now = clock.now
        try await persistence.transaction { tx in
            try await tx.sql.delete(from: LoginThrottleRow.table)
                .where("updated_at", .lessThan, cutoff)
                .where(group: { $0.where("locked_until", .is, SQLLiteral.null).orWhere("locked_until", .lessThan, now) })
                .run()
        }
    }

    /// Opens a session for an account that has just proved who it is.
    func startSession(for account: AccountRow, channel: String, address: String) async throws -> SignIn {
        let now = clock.now
        return try await persistence.transaction { tx in
            try await self.openSession(for: account, channel: channel, address: address, now: now, on: tx)
        }
    }

    func openSession(for account: AccountRow, channel: String, address: String, now: Date, on tx: any Database) async throws -> SignIn {
        let token = Tokens.random()
        let expires = now.addingTimeInterval(sessionLifetime)
        let session = SessionRow(id: UUID(), tokenHash: Self.sha256(token), accountID: account.id, channel: channel, createdAt: now, expiresAt: expires)
        try await session.insert(on: tx.sql)
        try await AuditLog.append(
            .init(actor: "\(account.role):\(account.loginName)", action: "auth.login", objectType: "session", objectID: session.id.uuidString,
                  address: address, detail: channel), at: now, on: tx)
        return SignIn(token: token, expiresAt: expires, principal: principal(for: account, sessionID: session.id))
    }

    /// Phone numbers may be typed with +86 or spaces; credit codes in lower case.
    func normalisedLogin(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if let mobile = try? MobileNumber(trimmed) { return mobile.value }
        if trimmed.count == 18, let code = try? CreditCode(trimmed) { return code.value }
        return trimmed
    }

    func principal(for account: AccountRow, sessionID: UUID) -> Principal {
        Principal(
            accountID: account.id, sessionID: sessionID, role: Role(code: account.role) ?? .applicant,
            displayName: account.displayName, loginName: account.loginName,
            departmentID: account.departmentID, regionCode: account.regionCode)
    }

    /// The account behind a session or bearer token, if the session is still valid: every
    /// signed-in request asks, so it is one statement (the session joined to its account on
    /// the token's hash) reading only what a `Principal` holds.
    public func authenticate(token: String) async throws -> Principal? {
        guard !token.isEmpty, token.count < 200 else { return nil }
        let sessions = SessionRow.table, accounts = AccountRow.table
        guard let row = try await persistence.sql.select()
            .column(SQLColumn("id", table: sessions), as: "session_id")
            .column(SQLColumn("expires_at", table: sessions), as: "expires_at")
            .column(SQLColumn("account_id", table: sessions), as: "account_id")
            .column(SQLColumn("role", table: accounts), as: "role")
            .column(SQLColumn("display_name", table: accounts), as: "display_name")
            .column(SQLColumn("login_name", table: accounts), as: "login_name")
            .column(SQLColumn("department_id", table: accounts), as: "department_id")
            .column(SQLColumn("region_code", table: accounts), as: "region_code")
            .from(sessions)
            .join(accounts, on: SQLColumn("id", table: accounts), .equal, SQLColumn("account_id", table: sessions))
            .where(SQLColumn("token_hash", table: sessions), .equal, SQLBind(Self.sha256(token)))
            .limit(1)
            .first(decoding: SessionPrincipalRow.self),
              row.expiresAt > clock.now
        else { return nil }
        return Principal(
            accountID: row.accountID, sessionID: row.sessionID, role: Role(code: row.role) ?? .applicant,
            displayName: row.displayName, loginName: row.loginName, departmentID: row.departmentID, regionCode: row.regionCode)
    }

    /// Ends the session: its token stops working at once.
    public func signOut(_ principal: Principal, address: String) async throws {
        let now = clock.now
        try await persistence.transaction { tx in
            try await tx.sql.delete(from: SessionRow.table).where("id", .equal, principal.sessionID).run()
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
