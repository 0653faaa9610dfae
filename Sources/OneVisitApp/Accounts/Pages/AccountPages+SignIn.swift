import Foundation
import Hummingbird
import OneVisitDomain

/// Signing in and out on the web (R3.6 one login), with the second factor of admins and auditors.
extension AccountPages {
    struct LoginPage {
        var layout: LayoutView
        var username = ""
        var next = ""
        var error: String?
        var askTOTP = false
    }

    struct LoginForm: Decodable {
        var username: String
        var password: String
        var totp: String?
        var next: String

        enum CodingKeys: String, CodingKey { case username, password, totp, next }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            username = try c.text(.username)
            password = try c.text(.password)
            let totp = try c.text(.totp)
            self.totp = totp.isEmpty ? nil : totp
            next = try c.text(.next)
        }
    }

    func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        if context.principal != nil { return Response.redirect(to: SitePath.Accounts.home) }
        let next = request.uri.queryParameters.get("next").map(AccountRoutes.safeNext) ?? ""
        return try renderer.page("login", LoginPage(layout: context.layout("登录"), next: next))
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.decode(LoginForm.self, from: request, context: context)
        do {
            let signIn = try await accounts.signIn(
                loginName: form.username, password: form.password, totp: form.totp, channel: "web", address: context.remoteAddress)
            return signedIn(signIn, to: AccountRoutes.safeNext(form.next))
        } catch let error as AppError where error.code.hasPrefix("auth.") {
            let page = LoginPage(
                layout: context.layout("登录"), username: form.username, next: AccountRoutes.safeNext(form.next), error: error.title,
                askTOTP: error.field == "totp")
            return try renderer.page("login", page, status: error.status)
        }
    }

    /// Signing out needs no session: without one it only clears the cookie.
    func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        if let principal = context.principal {
            try await accounts.signOut(principal, address: context.remoteAddress)
        }
        var response = Response.redirect(to: SitePath.Site.portal)
        response.setCookie(Cookie(name: CookieNames.session, value: "", maxAge: 0, path: "/", secure: app.config.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}
