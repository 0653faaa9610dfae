import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// Registration, sign-in and sign-out pages and `/api/v1/auth`, `/api/v1/applicants`, `/api/v1/me`.
enum AccountRoutes {
    // MARK: pages

    struct RegisterPage {
        var layout: LayoutView
        var isOrganisation: Bool
        var name = "", idNumber = "", phone = "", creditCode = "", legalRepresentative = "", contactName = "", claimCode = ""
        var error: String?
        var errorField: String?
        /// Ties the error to the claim-code field (aria-describedby, aria-invalid).
        var claimCodeError = false
    }

    struct LoginPage {
        var layout: LayoutView
        var username = ""
        var next = ""
        var error: String?
        var askTOTP = false
    }

    struct HomePage {
        struct Item { var title: String; var summary: String; var clause: String; var path: String?; var planned: Bool }
        var layout: LayoutView
        var roleCode: String
        var roleName: String
        var displayName: String
        var items: [Item]
        var departmentName: String?
        var regionName: String?
    }

    struct AccountPage {
        var layout: LayoutView
        var account: AccountView
    }

    /// The clerk's page for a walk-in's claim code; after the POST, the slip to print.
    struct ClaimCodePage {
        var layout: LayoutView
        var applicantID: String
        var applicantName: String
        var idNumberMasked: String
        var claimed: Bool
        var code: String?
        var expiresText: String?
        var error: String?
    }

    static func sessionCookie(_ signIn: AccountService.SignIn, secure: Bool, lifetime: TimeInterval) -> Cookie {
        Cookie(name: CookieNames.session, value: signIn.token, maxAge: Int(lifetime), path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The first path segments of the pages a sign-in may return to (the `router.get`
    /// routes of the site, less sign-in, registration, downloads and the API).
    static let returnPages: Set<String> = [
        "home", "account", "cases", "desk", "work", "catalog", "guides", "organisation", "audit",
        "supervision", "progress", "apply", "pay", "applicants",
    ]
    private static let pathCharacters = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_-.")
    private static let queryCharacters = pathCharacters.union(CharacterSet(charactersIn: "=&%")).subtracting(CharacterSet(charactersIn: "/"))

    /// Only our own pages, so the login page cannot send anyone elsewhere. Browsers drop tabs
    /// and newlines and read `\\` as `/`, so `/\t/evil.example` is another host: the path may
    /// hold only plain characters, starts with a single `/` and names one of our pages.
    static func safeNext(_ raw: String) -> String {
        let fallback = "/home"
        guard raw.count <= 512, raw.hasPrefix("/"), !raw.contains("//") else { return fallback }
        let parts = raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0]
        guard path.unicodeScalars.allSatisfy(pathCharacters.contains) else { return fallback }
        if parts.count > 1, !parts[1].unicodeScalars.allSatisfy(queryCharacters.contains) { return fallback }
        let segments = path.split(separator: "/")
        guard let first = segments.first, returnPages.contains(String(first)), !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            return fallback
        }
        return raw
    }

    /// The claim-code page for the applicant named by `:id`, if the clerk may see them.
    static func claimCodePage(_ app: AppServices, _ context: AppRequestContext, clerk: Principal) async throws -> ClaimCodePage {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AccountService.applicantNotFound }
        let account = try await app.accounts.claimCandidate(id, clerk: clerk, on: app.persistence.db)
        return ClaimCodePage(
            layout: context.layout("账号认领码"), applicantID: id.uuidString, applicantName: account.displayName,
            idNumberMasked: account.idNumber.map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            claimed: AccountService.isClaimed(account))
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let accounts = app.accounts
        let renderer = app.renderer

        router.get("/register") { _, context in
            try renderer.page("register", RegisterPage(layout: context.layout("注册账号"), isOrganisation: false))
        }
        router.get("/register/organisation") { _, context in
            try renderer.page("register", RegisterPage(layout: context.layout("法人注册"), isOrganisation: true))
        }
        router.post("/register") { request, context in
            let form = try await WebForm.read(request, context: context)
            let isOrganisation = form["kind"] == "organisation"
            var page = RegisterPage(
                layout: context.layout(isOrganisation ? "法人注册" : "注册账号"), isOrganisation: isOrganisation,
                name: form["name"], idNumber: form["idNumber"], phone: form["phone"], creditCode: form["creditCode"],
                legalRepresentative: form["legalRepresentative"], contactName: form["contactName"], claimCode: form["claimCode"])
            do {
                let account: AccountModel
                if isOrganisation {
                    let checked = try ApplicantRegistration.organisation(
                        name: form["name"], creditCode: form["creditCode"], legalRepresentative: form["legalRepresentative"],
                        contactName: form["contactName"], phone: form["phone"], password: form["password"], passwordConfirm: form["passwordConfirm"])
                    account = try await accounts.register(organisation: checked, password: form["password"], address: context.remoteAddress)
                } else {
                    let checked = try ApplicantRegistration.person(
                        name: form["name"], idNumber: form["idNumber"], phone: form["phone"], password: form["password"],
                        passwordConfirm: form["passwordConfirm"], today: accounts.clock.now)
                    account = try await accounts.register(
                        person: checked, password: form["password"], address: context.remoteAddress, claimCode: form["claimCode"])
                }
                let signIn = try await accounts.startSession(for: account, channel: "web", address: context.remoteAddress)
                var response = Response.redirect(to: "/home")
                response.setCookie(sessionCookie(signIn, secure: app.config.secureCookies, lifetime: app.config.sessionLifetime))
                return response
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

        router.get("/login") { request, context in
            if context.principal != nil { return Response.redirect(to: "/home") }
            let next = request.uri.queryParameters.get("next").map(safeNext) ?? ""
            return try renderer.page("login", LoginPage(layout: context.layout("登录"), next: next))
        }
        router.post("/login") { request, context in
            let form = try await WebForm.read(request, context: context)
            do {
                let totp = form["totp"]
                let signIn = try await accounts.signIn(
                    loginName: form["username"], password: form["password"], totp: totp.isEmpty ? nil : totp,
                    channel: "web", address: context.remoteAddress)
                var response = Response.redirect(to: safeNext(form["next"]))
                response.setCookie(sessionCookie(signIn, secure: app.config.secureCookies, lifetime: app.config.sessionLifetime))
                return response
            } catch let error as AppError where error.code.hasPrefix("auth.") {
                let page = LoginPage(
                    layout: context.layout("登录"), username: form["username"], next: safeNext(form["next"]), error: error.title,
                    askTOTP: error.field == "totp")
                return try renderer.page("login", page, status: error.status)
            }
        }
        router.post("/logout") { request, context in
            _ = try await WebForm.read(request, context: context)
            if let principal = context.principal {
                try await accounts.signOut(principal, address: context.remoteAddress)
            }
            var response = Response.redirect(to: "/")
            response.setCookie(Cookie(name: CookieNames.session, value: "", maxAge: 0, path: "/", secure: app.config.secureCookies, httpOnly: true, sameSite: .strict))
            return response
        }

        router.get("/home") { _, context in
            let principal = try context.requirePrincipal()
            let db = app.persistence.db
            var departmentName: String?
            var regionName: String?
            if let id = principal.departmentID { departmentName = try await DepartmentModel.find(id, on: db)?.name }
            if let code = principal.regionCode { regionName = try await RegionModel.find(code, on: db)?.name }
            let items = principal.role.capabilities.map { capability -> HomePage.Item in
                switch capability.status {
                case .available(let path): .init(title: capability.title, summary: capability.summary, clause: capability.clause, path: path, planned: false)
                case .planned: .init(title: capability.title, summary: capability.summary, clause: capability.clause, path: nil, planned: true)
                }
            }
            let page = HomePage(
                layout: context.layout("我的首页"), roleCode: principal.role.code, roleName: principal.role.chineseName,
                displayName: principal.displayName, items: items, departmentName: departmentName, regionName: regionName)
            return try renderer.page("home", page)
        }

        router.get("/account") { _, context in
            let principal = try context.requirePrincipal()
            guard let account = try await AccountModel.find(principal.accountID, on: app.persistence.db) else { throw AppError.unauthenticated }
            return try renderer.page("account", AccountPage(layout: context.layout("我的账号"), account: AccountView(account)))
        }

        router.get("/applicants/:id/claim-code") { _, context in
            let clerk = try context.require([.staff(.windowClerk)])
            return try renderer.page("claim-code", try await claimCodePage(app, context, clerk: clerk))
        }
        router.post("/applicants/:id/claim-code") { request, context in
            _ = try await WebForm.read(request, context: context)
            let clerk = try context.require([.staff(.windowClerk)])
            var page = try await claimCodePage(app, context, clerk: clerk)
            do {
                let issued = try await accounts.issueClaimCode(for: UUID(uuidString: page.applicantID)!, by: clerk, address: context.remoteAddress)
                page.code = issued.code
                page.expiresText = DisplayDate.minute(issued.expiresAt)
                return try renderer.page("claim-code", page)
            } catch let error as AppError where error == AccountService.alreadyClaimed {
                page.claimed = true
                page.error = error.title
                return try renderer.page("claim-code", page, status: error.status)
            }
        }
    }

    // MARK: API
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

    init(_ account: AccountModel) {
        let role = Role(code: account.role) ?? .applicant
        id = account.id!
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
