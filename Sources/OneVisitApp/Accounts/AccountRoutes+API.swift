import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1`: account for other systems and apps.
extension AccountRoutes {
    struct LoginRequest: Decodable {
        var username: String
        var password: String
        var totp: String?
    }

    struct LoginResponse: ResponseEncodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date
        var account: AccountSummary
    }

    struct AccountSummary: ResponseEncodable {
        var id: UUID
        var role: String
        var roleName: String
        var displayName: String
    }

    struct RegistrationRequest: Decodable {
        var type: String
        var name: String
        var idNumber: String?
        var phone: String
        var password: String
        var creditCode: String?
        var legalRepresentative: String?
        var contactName: String?
        /// From the slip a window clerk printed, to take over an account opened at the window.
        var claimCode: String?
    }

    struct ClaimCodeResponse: ResponseEncodable {
        var code: String
        var expiresAt: Date
    }

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        let accounts = app.accounts
        api.post("/auth/login") { request, context -> EditedResponse<LoginResponse> in
            let body = try await JSONBody.decode(LoginRequest.self, from: request, context: context)
            let signIn = try await accounts.signIn(loginName: body.username, password: body.password, totp: body.totp, channel: "api", address: context.remoteAddress)
            let p = signIn.principal
            // The bearer token: no cache, and no idempotency record, may keep it.
            return EditedResponse(headers: [.cacheControl: "no-store"], response: LoginResponse(
                token: signIn.token, expiresAt: signIn.expiresAt,
                account: .init(id: p.accountID, role: p.role.code, roleName: p.role.chineseName, displayName: p.displayName)))
        }
        api.post("/auth/logout") { _, context -> HTTPResponse.Status in
            let principal = try context.requirePrincipal()
            try await accounts.signOut(principal, address: context.remoteAddress)
            return .noContent
        }
        api.get("/me") { _, context -> AccountView in
            let principal = try context.requirePrincipal()
            guard let account = try await AccountModel.find(principal.accountID, on: app.persistence.db) else { throw AppError.unauthenticated }
            return AccountView(account)
        }
        api.post("/applicants") { request, context -> EditedResponse<AccountView> in
            let body = try await JSONBody.decode(RegistrationRequest.self, from: request, context: context)
            let account: AccountModel
            do {
                switch body.type {
                case "person":
                    let checked = try ApplicantRegistration.person(
                        name: body.name, idNumber: body.idNumber ?? "", phone: body.phone, password: body.password,
                        passwordConfirm: nil, today: accounts.clock.now)
                    account = try await accounts.register(person: checked, password: body.password, address: context.remoteAddress, claimCode: body.claimCode)
                case "organisation":
                    let checked = try ApplicantRegistration.organisation(
                        name: body.name, creditCode: body.creditCode ?? "", legalRepresentative: body.legalRepresentative ?? "",
                        contactName: body.contactName ?? "", phone: body.phone, password: body.password, passwordConfirm: nil)
                    account = try await accounts.register(organisation: checked, password: body.password, address: context.remoteAddress)
                default:
                    throw AppError.invalid("type", code: "applicant.type", "申请人类型须为 person（自然人）或 organisation（法人）")
                }
            } catch let problem as ApplicantRegistration.Problem {
                throw AppError(.unprocessableContent, code: problem.code, title: problem.message, field: problem.field)
            }
            return EditedResponse(status: .created, headers: [.location: "/api/v1/me"], response: AccountView(account))
        }
        api.post("/applicants/:id/claim-code") { _, context -> EditedResponse<ClaimCodeResponse> in
            let clerk = try context.require([.staff(.windowClerk)])
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AccountService.applicantNotFound }
            let issued = try await accounts.issueClaimCode(for: id, by: clerk, address: context.remoteAddress)
            // The code is shown once: no cache may keep it.
            return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: ClaimCodeResponse(code: issued.code, expiresAt: issued.expiresAt))
        }
    }
}
