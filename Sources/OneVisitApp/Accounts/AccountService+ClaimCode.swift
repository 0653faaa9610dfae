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
