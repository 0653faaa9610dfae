import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// Registration, sign-in and sign-out pages, the home and account pages and the clerk's claim
/// codes (handlers in `AccountPages`), and `/api/v1/auth`, `/api/v1/applicants`, `/api/v1/me`.
enum AccountRoutes {
    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let pages = AccountPages(app: app)
        router.get(SitePath.Accounts.register.route, use: pages.registerPage)
        router.get(SitePath.Accounts.registerOrganisation.route, use: pages.registerOrganisationPage)
        router.post(SitePath.Accounts.register.route, use: pages.register)
        router.get(SitePath.Accounts.login.route, use: pages.loginPage)
        router.post(SitePath.Accounts.login.route, use: pages.login)
        router.post(SitePath.Accounts.logout.route, use: pages.logout)
        router.group(context: SignedInContext.self)
            .get(SitePath.Accounts.home.route, use: pages.home)
            .get(SitePath.Accounts.account.route, use: pages.account)
        router.group(context: RoleContext<Scopes.WindowDesk>.self)
            .get(SitePath.route(SitePath.Accounts.claimCode), use: pages.claimCodePage)
            .post(SitePath.route(SitePath.Accounts.claimCode), use: pages.issueClaimCode)
    }

    static func sessionCookie(_ signIn: AccountService.SignIn, secure: Bool, lifetime: TimeInterval) -> Cookie {
        Cookie(name: CookieNames.session, value: signIn.token, maxAge: Int(lifetime), path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    private static let pathCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-.")
    private static let queryCharacters = pathCharacters.union(CharacterSet(charactersIn: "=&%")).subtracting(CharacterSet(charactersIn: "/"))

    /// Only our own pages, so the login page cannot send anyone elsewhere. Browsers drop tabs
    /// and newlines and read `\\` as `/`, so `/\t/evil.example` is another host: the path may
    /// hold only plain characters, starts with a single `/` and is one of `SitePath.returnPages`.
    static func safeNext(_ raw: String) -> String {
        let fallback = SitePath.Accounts.home.link
        guard raw.count <= 512, raw.hasPrefix("/"), !raw.contains("//") else { return fallback }
        let parts = raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        guard path.unicodeScalars.allSatisfy(pathCharacters.contains) else { return fallback }
        if parts.count > 1, !parts[1].unicodeScalars.allSatisfy(queryCharacters.contains) { return fallback }
        return SitePath.isReturnPage(path) ? raw : fallback
    }
}

/// An account as shown to its owner or to staff: ID number and phone masked.
struct AccountView: ResponseEncodable, Sendable {
    var id: UUID
    var loginName: String
    var role: String
    var roleName: String
    var displayName: String
    var applicantType: String?
    var applicantTypeName: String?
    var idNumberMasked: String?
    var creditCode: String?
    var legalRepresentative: String?
    var contactName: String?
    var phoneMasked: String?
    var createdAt: Date

    init(_ account: AccountRow) {
        let role = Role(code: account.role) ?? .applicant
        id = account.id
        loginName = role == .applicant && account.applicantType == "person" ? Masking.mask(account.loginName, keepPrefix: 3, keepSuffix: 4) : account.loginName
        self.role = role.code
        roleName = role.chineseName
        displayName = account.displayName
        applicantType = account.applicantType
        applicantTypeName = account.applicantType.map { $0 == "person" ? "自然人" : "法人或其他组织" }
        idNumberMasked = account.idNumber.map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) }
        creditCode = account.creditCode
        legalRepresentative = account.legalRepresentative
        contactName = account.contactName
        phoneMasked = account.phone.map { Masking.mask($0, keepPrefix: 3, keepSuffix: 4) }
        createdAt = account.createdAt
    }
}

/// JSON bodies: size-limited, and a broken one is a 400 with a Chinese message.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext, limit: Int = 256 * 1024) async throws -> T {
        let buffer = try await request.body.collect(upTo: limit)
        if TextInput.jsonHasControlEscape(buffer.readableBytesView) { throw AppError.controlCharacter() }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch DecodingError.dataCorrupted(let c) where !c.codingPath.isEmpty {
            // Well-formed JSON with a value the document does not allow, e.g. an unknown enum case.
            let field = c.codingPath.map(\.stringValue).joined(separator: ".")
            throw AppError(.unprocessableContent, code: "request.invalid_value", title: "字段 \(field) 的取值不在允许范围内", field: field)
        } catch let error as DecodingError {
            var detail = "JSON 无法解析"
            switch error {
            case .keyNotFound(let key, _): detail = "缺少字段 \(key.stringValue)"
            case .typeMismatch(_, let c), .valueNotFound(_, let c): detail = "字段 \(c.codingPath.map(\.stringValue).joined(separator: ".")) 类型不正确"
            default: break
            }
            throw AppError(.badRequest, code: "request.malformed", title: "请求内容格式不正确", detail: detail)
        }
    }
}
