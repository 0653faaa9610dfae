import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OneVisitDomain

/// Counts and times every request by its route template (not its raw path, which
/// would make one series per case number), and adds the security headers.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: AppMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // What escapes `ErrorMiddleware` is answered by the server: count it too.
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.recordRequest(
                method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                status: Int(status), duration: ContinuousClock.now - start)
            throw error
        }
        response.headers[.init("X-Content-Type-Options")!] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "same-origin"
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
            status: Int(response.status.code), duration: ContinuousClock.now - start)
        return response
    }
}

/// Maps every error once: problem+json with a stable code under `/api`, a Chinese
/// page elsewhere. Internals (stack traces, SQL) are logged, never sent.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let renderer: WebRenderer

    struct Problem: Encodable {
        var type = "about:blank"
        var title: String
        var status: Int
        var code: String
        var detail: String?
        var field: String?
        var instance: String?
    }

    struct ErrorPage {
        var layout: LayoutView
        var status: Int
        var title: String
        var detail: String?
        var code: String
        var requestID: String
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError: AppError
            switch error {
            case let e as AppError:
                appError = e
            case let e as HTTPResponseError:
                appError = AppError.from(status: e.status)
            case is DecodingError:
                appError = .malformedBody
            case let e where Persistence.isBusy(e):
                // Nothing was committed: the client may send the same request again.
                context.logger.warning("database busy: \(String(reflecting: e))")
                appError = .serviceBusy
            default:
                context.logger.error("unhandled error: \(String(reflecting: error))")
                appError = AppError.from(status: .internalServerError)
            }
            if appError.status.code >= 500, error is AppError || error is HTTPResponseError {
                context.logger.error("server error \(appError.code): \(String(reflecting: error))")
            }
            if SitePath.isAPI(request.uri.path) {
                let problem = Problem(title: appError.title, status: Int(appError.status.code), code: appError.code,
                                      detail: appError.detail, field: appError.field, instance: context.id)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let body = try encoder.encode(problem)
                var headers: HTTPFields = [.contentType: "application/problem+json"]
                if appError.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
                if appError.status == .serviceUnavailable { headers[.retryAfter] = Self.retryAfter }
                return Response(status: appError.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
            }
            if appError.status == .unauthorized {
                let target = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? SitePath.Accounts.home.link
                return .redirect(to: SitePath.Accounts.login.link + "?next=\(target)")
            }
            var layoutContext = context
            layoutContext.principal = nil
            let page = ErrorPage(layout: layoutContext.layout(appError.title), status: Int(appError.status.code),
                                 title: appError.title, detail: appError.detail, code: appError.code, requestID: context.id)
            var response = try renderer.page("error", page, status: appError.status)
            if appError.status == .serviceUnavailable { response.headers[.retryAfter] = Self.retryAfter }
            return response
        }
    }

    /// Seconds a client should wait before sending a request again after a 503.
    static let retryAfter = "1"
}

/// Finds the signed-in account from the bearer token (API) or the session cookie
/// (web), and gives every browser a CSRF token.
///
/// On the API the session cookie counts only for reading, or with an `X-CSRF-Token`
/// header equal to the browser's `ov_csrf` cookie: another site can make a browser send
/// the cookie with a form or a `text/plain` POST, but cannot read the token to set the header.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let accounts: AccountService
    let secureCookies: Bool

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let isAPI = SitePath.isAPI(request.uri.path)
        var token: String?
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        } else if let cookie = request.cookies[CookieNames.session]?.value,
                  !isAPI || request.method == .get || request.method == .head || Self.hasCSRFHeader(request) {
            token = cookie
        }
        if let token {
            context.principal = try await accounts.authenticate(token: token)
        }
        var newCSRF: String?
        if let existing = request.cookies[CookieNames.csrf]?.value, existing.count >= 20 {
            context.csrfToken = existing
        } else if !isAPI {
            let fresh = Tokens.random()
            context.csrfToken = fresh
            newCSRF = fresh
        }
        var response = try await next(request, context)
        if let newCSRF {
            response.setCookie(Cookie(name: CookieNames.csrf, value: newCSRF, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The header's token equals the cookie's, compared in constant time.
    static func hasCSRFHeader(_ request: Request) -> Bool {
        guard let header = request.headers[csrfHeader], let cookie = request.cookies[CookieNames.csrf]?.value,
              cookie.count >= 20 else { return false }
        return ConstantTime.equal(header, cookie)
    }
}
