import Foundation
import Hummingbird
import OneVisitDomain

/// The clerk's page for a walk-in's claim code (R7.1.2); after the POST, the slip to print.
extension AccountPages {
    typealias ClerkContext = RoleContext<Scopes.WindowDesk>

    struct ClaimCodePage {
        var layout: LayoutView
        var applicantID: UUID
        var applicantName: String
        var idNumberMasked: String
        /// A legal person's account is found by its USCC (R8.2.5).
        var isOrganisation = false
        var numberLabel = "身份证号码"
        /// The phone the claim must give, masked: the clerk reads it back to the applicant.
        var phoneMasked = ""
        var claimed: Bool
        var action: String
        var code: String?
        var expiresText: String?
        var error: String?
    }

    func claimCodePage(_ request: Request, context: ClerkContext) async throws -> Response {
        try renderer.page("claim-code", try await claimCodePage(context))
    }

    func issueClaimCode(_ request: Request, context: ClerkContext) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        var page = try await claimCodePage(context)
        do {
            let issued = try await accounts.issueClaimCode(for: page.applicantID, by: context.principal, address: context.remoteAddress)
            page.code = issued.code
            page.expiresText = DisplayDate.minute(issued.expiresAt)
            return try renderer.page("claim-code", page)
        } catch let error as AppError where error == AccountService.alreadyClaimed {
            page.claimed = true
            page.error = error.title
            return try renderer.page("claim-code", page, status: error.status)
        }
    }

    /// The page for the applicant named by `:id`, if the clerk may see them.
    private func claimCodePage(_ context: ClerkContext) async throws -> ClaimCodePage {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AccountService.applicantNotFound }
        let account = try await accounts.claimCandidate(id, clerk: context.principal, on: app.persistence.db)
        let isOrganisation = account.applicantType == "organisation"
        return ClaimCodePage(
            layout: context.layout("账号认领码"), applicantID: id, applicantName: account.displayName,
            idNumberMasked: (isOrganisation ? account.creditCode : account.idNumber).map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            isOrganisation: isOrganisation, numberLabel: isOrganisation ? "统一社会信用代码" : "身份证号码",
            phoneMasked: account.phone.map { Masking.mask($0, keepPrefix: 3, keepSuffix: 4) } ?? "",
            claimed: AccountService.isClaimed(account), action: SitePath.Accounts.claimCode(id).link)
    }
}
