import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

/// Claim codes: the window clerk's confirmation that the person who registers online is the
/// walk-in whose account was opened at the window (R8.2.5).
extension AccountService {
    struct IssuedClaimCode: Sendable {
        var code: String
        var expiresAt: Date
    }

    static let applicantNotFound = AppError(.notFound, code: "applicant.not_found", title: "未找到该申请人，或其办件不在本地区")
    static let alreadyClaimed = AppError(.conflict, code: "account.already_claimed", title: "该申请人已注册并设置密码，无需账号认领码")

    /// An applicant account a clerk may print a claim code for: one with at least one case in
    /// the clerk's region. Any other account is "not found", whether or not it exists.
    func claimCandidate(_ id: UUID, clerk: Principal, on db: any Database) async throws -> AccountRow {
        guard clerk.role == .staff(.windowClerk), let region = clerk.regionCode else { throw AppError.forbidden }
        guard let account = try await AccountRow.find(id, on: db.sql), account.role == Role.applicant.code,
              try await db.sql.select().column("id").from(CaseRow.table).where("applicant_id", .equal, id).where("region_code", .equal, region)
                .limit(1).first() != nil
        else { throw Self.applicantNotFound }
        return account
    }

    /// Whether the walk-in has already taken the account over by registering.
    static func isClaimed(_ account: AccountRow) -> Bool { account.passwordHash != unclaimedPassword }

    /// A new code for a walk-in account, replacing any earlier one. The code itself is
    /// shown once, to the clerk who prints it; only its SHA-256 is kept.
    func issueClaimCode(for id: UUID, by clerk: Principal, address: String) async throws -> IssuedClaimCode {
        let now = clock.now
        let code = ClaimCode.generate()
        let expires = now.addingTimeInterval(ClaimCode.lifetime)
        try await persistence.transaction { tx in
            // Held first, so the one read of the candidate is the state this code is issued against.
            try await Self.lockRow(AccountRow.table, id: id, on: tx)
            let account = try await self.claimCandidate(id, clerk: clerk, on: tx)
            guard !Self.isClaimed(account) else { throw Self.alreadyClaimed }
            let sql = tx.sql
            try await sql.delete(from: ClaimCodeRow.table).where("account_id", .equal, id).run()
            let row = ClaimCodeRow(id: UUID(), accountID: id, codeHash: Self.sha256(code), issuedBy: clerk.accountID,
                                   createdAt: now, expiresAt: expires, failures: 0)
            try await row.insert(on: sql)
            try await AuditLog.append(
                .init(actor: clerk.auditName, action: "account.claim_code", objectType: "account", objectID: id.uuidString,
                      address: address, detail: "valid \(Int(ClaimCode.lifetime / 3600)) h"), at: now, on: tx)
        }
        return IssuedClaimCode(code: code, expiresAt: expires)
    }
}

/// Claiming: the walk-in takes over the account opened at the window (R8.2.5).
extension AccountService {
    /// What the one who claims typed, already checked as a registration.
    struct Claimant: Sendable {
        var name: String
        var phone: String
        var claimCode: String?
        var isOrganisation: Bool

        var typedCode: Bool { claimCode.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty } ?? false }
        var codeHash: String? { claimCode.flatMap(ClaimCode.normalised).map(AccountService.sha256) }
    }

    /// Hands the unclaimed account `walkInID` over, inside the caller's transaction, if the
    /// code, the name and the phone all match (`ClaimCode.claimantMatches`); otherwise counts
    /// one wrong try (five burn the code) and returns the one refusal for every mistake.
    /// The row is held first, so of parallel claims exactly one wins and the others find
    /// the account claimed (`taken`); the code is deleted on use, so it cannot be replayed.
    func claim(_ walkInID: UUID, by claimant: Claimant, passwordHash hash: String, taken: AppError, now: Date, address: String,
               on tx: any Database) async throws -> Committed<AccountRow> {
        guard claimant.typedCode else { throw claimant.isOrganisation ? Self.organisationClaimCodeRequired : Self.claimCodeRequired }
        let sql = tx.sql
        guard var account = try await Self.lockedRow(AccountRow.self, id: walkInID, on: sql), !Self.isClaimed(account) else { throw taken }
        let issued = try await ClaimCodeRow.select(on: sql).where("account_id", .equal, walkInID).limit(1).row(ClaimCodeRow.self)
        let codeHash = claimant.codeHash
        let matches = ClaimCode.claimantMatches(codeMatches: codeHash != nil && codeHash == issued?.codeHash, name: claimant.name,
                                                recordedName: account.displayName, phone: claimant.phone, recordedPhone: account.phone)
        let judgement = issued.map { ClaimCode.judge(matches: matches, failures: $0.failures, expiresAt: $0.expiresAt, now: now) } ?? .unusable
        var refusal = AuditLog.Event(actor: "anonymous", action: "account.claim_refused", objectType: "account", objectID: walkInID.uuidString, address: address)
        switch judgement {
        case .accept:
            if let issued { try await sql.delete(from: ClaimCodeRow.table).where("id", .equal, issued.id).run() }
            if !claimant.isOrganisation { try await Self.freeLoginName(claimant.phone, for: walkInID, on: sql) }
            account.passwordHash = hash
            account.loginName = claimant.isOrganisation ? account.loginName : claimant.phone
            account.version += 1
            try await sql.update(AccountRow.table)
                .set("password_hash", to: account.passwordHash).set("login_name", to: account.loginName).set("version", to: account.version)
                .where("id", .equal, walkInID).run()
            try await AuditLog.append(
                .init(actor: "applicant:\(account.loginName)", action: "account.claim", objectType: "account", objectID: walkInID.uuidString, address: address,
                      detail: "\(claimant.isOrganisation ? "organisation" : "person"), claim code of \(issued?.issuedBy.uuidString ?? "")"),
                at: now, on: tx)
            return .done(account)
        case .refuse(let failures, let burnt):
            if let issued {
                if burnt {
                    try await sql.delete(from: ClaimCodeRow.table).where("id", .equal, issued.id).run()
                } else {
                    try await sql.update(ClaimCodeRow.table).set("failures", to: failures).where("id", .equal, issued.id).run()
                }
            }
            refusal.detail = burnt ? "failures=\(failures), code burnt" : "failures=\(failures)"
        case .unusable:
            if let issued { try await sql.delete(from: ClaimCodeRow.table).where("id", .equal, issued.id).run() }
            refusal.detail = issued == nil ? "no code issued" : "code expired or burnt"
        }
        try await AuditLog.append(refusal, at: now, on: tx)
        return .refused(Self.claimCodeRefused)
    }

    /// Another walk-in's unclaimed account that holds `phone` as its login name (one phone
    /// given for two people at the window) gives it up for its ID number; it has no
    /// password, so no one's way in changes.
    static func freeLoginName(_ phone: String, for claimer: UUID, on sql: any SQLDatabase) async throws {
        guard let holder = try await AccountRow.select(on: sql).where("login_name", .equal, phone).limit(1).row(AccountRow.self),
              holder.id != claimer else { return }
        guard !isClaimed(holder) else { throw AppError.invalid("phone", code: "account.phone_taken", "该手机号已注册，请直接登录") }
        let fallback = holder.creditCode ?? holder.idNumber.map { "id:\($0)" } ?? "id:\(holder.id.uuidString)"
        try await sql.update(AccountRow.table).set("login_name", to: fallback).where("id", .equal, holder.id).run()
    }
}
