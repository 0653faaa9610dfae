import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1`: sign-in, the own account, registration and claim codes, for other systems and
/// apps. Bodies are the types generated from `openapi.json`.
extension AccountRoutes {
    typealias WindowDeskContext = RoleContext<Scopes.WindowDesk>

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.post(SitePath.API.Accounts.login.route) { try await login($0, $1, app: app) }
        api.post(SitePath.API.Accounts.applicants.route) { try await registerApplicant($0, $1, app: app) }
        let signedIn = api.group(context: SignedInContext.self)
        signedIn.post(SitePath.API.Accounts.logout.route) { try await logout($0, $1, app: app) }
        signedIn.get(SitePath.API.Accounts.me.route) { try await me($0, $1, app: app) }
        api.group(context: WindowDeskContext.self)
            .post(SitePath.route(SitePath.API.Accounts.claimCode)) { try await issueClaimCode($0, $1, app: app) }
    }

    static func login(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.LoginResponse> {
        let body = try await JSONBody.decode(Components.Schemas.LoginRequest.self, from: request, context: context)
        let signIn = try await app.accounts.signIn(loginName: body.username, password: body.password, totp: body.totp, channel: "api", address: context.remoteAddress)
        // The bearer token: no cache, and no idempotency record, may keep it.
        return EditedResponse(headers: [.cacheControl: "no-store"], response: .init(
            token: signIn.token, tokenType: .Bearer, expiresAt: signIn.expiresAt, account: .init(signIn.principal)))
    }

    static func logout(_ request: Request, _ context: SignedInContext, app: AppServices) async throws -> HTTPResponse.Status {
        try await app.accounts.signOut(context.principal, address: context.remoteAddress)
        return .noContent
    }

    static func me(_ request: Request, _ context: SignedInContext, app: AppServices) async throws -> Components.Schemas.Account {
        guard let account = try await AccountRow.find(context.principal.accountID, on: app.persistence.sql) else { throw AppError.unauthenticated }
        return try .init(AccountView(account))
    }

    static func registerApplicant(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.Account> {
        let body = try await JSONBody.decode(Components.Schemas.RegistrationRequest.self, from: request, context: context)
        let accounts = app.accounts
        let account: AccountRow
        do {
            switch body._type {
            case .person:
                let checked = try ApplicantRegistration.person(
                    name: body.name, idNumber: body.idNumber ?? "", phone: body.phone, password: body.password,
                    passwordConfirm: nil, today: accounts.clock.now)
                account = try await accounts.register(person: checked, password: body.password, address: context.remoteAddress, claimCode: body.claimCode)
            case .organisation:
                let checked = try ApplicantRegistration.organisation(
                    name: body.name, creditCode: body.creditCode ?? "", legalRepresentative: body.legalRepresentative ?? "",
                    contactName: body.contactName ?? "", phone: body.phone, password: body.password, passwordConfirm: nil)
                account = try await accounts.register(organisation: checked, password: body.password, address: context.remoteAddress, claimCode: body.claimCode)
            }
        } catch let problem as ApplicantRegistration.Problem {
            throw AppError(.unprocessableContent, code: problem.code, title: problem.message, field: problem.field)
        }
        return EditedResponse(status: .created, headers: [.location: SitePath.API.Accounts.me.link], response: try .init(AccountView(account)))
    }

    static func issueClaimCode(_ request: Request, _ context: WindowDeskContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.ClaimCode> {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AccountService.applicantNotFound }
        let issued = try await app.accounts.issueClaimCode(for: id, by: context.principal, address: context.remoteAddress)
        // The code is shown once: no cache may keep it.
        return EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: .init(code: issued.code, expiresAt: issued.expiresAt))
    }
}
