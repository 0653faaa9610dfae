import Foundation
import Hummingbird
import OneVisitDomain

/// The handlers of the account pages; `AccountRoutes.addPages` registers them.
struct AccountPages: Sendable {
    let app: AppServices

    var accounts: AccountService { app.accounts }
    var renderer: WebRenderer { app.renderer }

    /// 303 to `path` with the new session's cookie.
    func signedIn(_ signIn: AccountService.SignIn, to path: String) -> Response {
        var response = Response.redirect(to: path)
        response.setCookie(AccountRoutes.sessionCookie(signIn, secure: app.config.secureCookies, lifetime: app.config.sessionLifetime))
        return response
    }
}
