import Foundation
import Hummingbird
import OneVisitDomain

/// Registration of natural and legal persons (R7.1.2), with a walk-in's claim code.
extension AccountPages {
    struct RegisterPage {
        var layout: LayoutView
        var isOrganisation: Bool
        var name = "", idNumber = "", phone = "", creditCode = "", legalRepresentative = "", contactName = "", claimCode = ""
        var error: String?
        var errorField: String?
        /// Ties the error to the claim-code field (aria-describedby, aria-invalid).
        var claimCodeError = false
    }

    struct RegisterForm: Decodable {
        var kind: String
        var name, idNumber, phone, creditCode, legalRepresentative, contactName, claimCode: String
        var password, passwordConfirm: String

        var isOrganisation: Bool { kind == "organisation" }

        enum CodingKeys: String, CodingKey {
            case kind, name, idNumber, phone, creditCode, legalRepresentative, contactName, claimCode, password, passwordConfirm
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.text(.kind)
            name = try c.text(.name)
            idNumber = try c.text(.idNumber)
            phone = try c.text(.phone)
            creditCode = try c.text(.creditCode)
            legalRepresentative = try c.text(.legalRepresentative)
            contactName = try c.text(.contactName)
            claimCode = try c.text(.claimCode)
            password = try c.text(.password)
            passwordConfirm = try c.text(.passwordConfirm)
        }
    }

    func registerPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.page("register", RegisterPage(layout: context.layout("注册账号"), isOrganisation: false))
    }

    func registerOrganisationPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        try renderer.page("register", RegisterPage(layout: context.layout("法人注册"), isOrganisation: true))
    }

    func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.decode(RegisterForm.self, from: request, context: context)
        var page = RegisterPage(
            layout: context.layout(form.isOrganisation ? "法人注册" : "注册账号"), isOrganisation: form.isOrganisation,
            name: form.name, idNumber: form.idNumber, phone: form.phone, creditCode: form.creditCode,
            legalRepresentative: form.legalRepresentative, contactName: form.contactName, claimCode: form.claimCode)
        do {
            let account = try await registerAccount(form, address: context.remoteAddress)
            let signIn = try await accounts.startSession(for: account, channel: "web", address: context.remoteAddress)
            return signedIn(signIn, to: SitePath.Accounts.home.link)
        } catch let problem as ApplicantRegistration.Problem {
            page.error = problem.message
            page.errorField = problem.field
        } catch let error as AppError where error.status == .unprocessableContent {
            page.error = error.title
            page.errorField = error.field
            page.claimCodeError = error.field == "claimCode"
        }
        return try renderer.page("register", page, status: .unprocessableContent)
    }

    /// The checked registration, stored.
    private func registerAccount(_ form: RegisterForm, address: String) async throws -> AccountRow {
        if form.isOrganisation {
            let checked = try ApplicantRegistration.organisation(
                name: form.name, creditCode: form.creditCode, legalRepresentative: form.legalRepresentative,
                contactName: form.contactName, phone: form.phone, password: form.password, passwordConfirm: form.passwordConfirm)
            return try await accounts.register(organisation: checked, password: form.password, address: address, claimCode: form.claimCode)
        }
        let checked = try ApplicantRegistration.person(
            name: form.name, idNumber: form.idNumber, phone: form.phone, password: form.password,
            passwordConfirm: form.passwordConfirm, today: accounts.clock.now)
        return try await accounts.register(person: checked, password: form.password, address: address, claimCode: form.claimCode)
    }
}
