import FluentKit
import Foundation
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import Testing
@testable import OneVisitApp

@Suite("Authentication")
struct AuthenticationTests {
    static let wrong = #"{"username":"clerk.zz","password":"wrong-pass-1"}"#
    static let right = #"{"username":"clerk.zz","password":"Demo@2026"}"#

    @Test func fiveWrongPasswords_lockFor15Minutes_sameAnswerEvenWithRightPassword() async throws {
        try await TestApp.run { app in
            for attempt in 1...4 {
                let response = try await app.json(.post, "/api/v1/auth/login", body: Self.wrong)
                #expect(response.status == .unauthorized, "attempt \(attempt)")
                #expect(try response.problem().code == "auth.invalid_credentials")
            }
            let fifth = try await app.json(.post, "/api/v1/auth/login", body: Self.wrong)
            #expect(fifth.status.code == 423)
            #expect(try fifth.problem().code == "auth.locked")
            // locked: the right password gets exactly the same answer as a wrong one
            app.clock.advance(by: 60)
            let rightWhileLocked = try await app.json(.post, "/api/v1/auth/login", body: Self.right)
            let wrongWhileLocked = try await app.json(.post, "/api/v1/auth/login", body: Self.wrong)
            #expect(rightWhileLocked.status.code == 423)
            #expect(try rightWhileLocked.problem().title == (try wrongWhileLocked.problem().title))
            #expect(try rightWhileLocked.problem().code == (try wrongWhileLocked.problem().code))
            // still locked just before 15 minutes, open after
            app.clock.advance(by: 13 * 60)
            #expect(try await app.json(.post, "/api/v1/auth/login", body: Self.right).status.code == 423)
            app.clock.advance(by: 61)
            #expect(try await app.json(.post, "/api/v1/auth/login", body: Self.right).status == .ok)
            let locks = try await app.count(AuditRecordRow.self, where: ["action": "auth.locked"])
            #expect(locks == 1)
        }
    }

    @Test func successfulLogin_resetsFailureCount() async throws {
        try await TestApp.run { app in
            for _ in 1...4 { try await app.json(.post, "/api/v1/auth/login", body: Self.wrong) }
            #expect(try await app.json(.post, "/api/v1/auth/login", body: Self.right).status == .ok)
            for _ in 1...4 { try await app.json(.post, "/api/v1/auth/login", body: Self.wrong) }
            // four more failures after a success do not lock
            #expect(try await app.json(.post, "/api/v1/auth/login", body: Self.right).status == .ok)
        }
    }

    @Test func unknownAccount_getsTheSameAnswerAsAWrongPassword() async throws {
        try await TestApp.run { app in
            let unknown = try await app.json(.post, "/api/v1/auth/login", body: #"{"username":"nobody","password":"x1234567"}"#)
            let wrong = try await app.json(.post, "/api/v1/auth/login", body: Self.wrong)
            #expect(unknown.status == wrong.status)
            #expect(try unknown.problem().title == (try wrong.problem().title))
        }
    }

    @Test func systemAdmin_needsTOTP() async throws {
        try await TestApp.run { app in
            let missing = try await app.json(.post, "/api/v1/auth/login", body: #"{"username":"admin.ha","password":"Demo@2026"}"#)
            #expect(missing.status == .unauthorized)
            #expect(try missing.problem().code == "auth.totp_required")
            let badCode = try await app.json(.post, "/api/v1/auth/login", body: #"{"username":"admin.ha","password":"Demo@2026","totp":"000000"}"#)
            let expected = TOTP(secret: DemoSeed.totpSecret).compute(date: app.clock.now)
            if expected != 0 {
                #expect(badCode.status == .unauthorized)
                #expect(try badCode.problem().code == "auth.totp_invalid")
            }
            let code = String(format: "%06d", expected)
            let token = try await app.token("admin.ha", totp: code)
            #expect(!token.isEmpty)
            // a code from ten minutes ago is refused
            let stale = String(format: "%06d", TOTP(secret: DemoSeed.totpSecret).compute(date: app.clock.now.addingTimeInterval(-600)))
            let staleResponse = try await app.json(.post, "/api/v1/auth/login", body: #"{"username":"auditor.ha","password":"Demo@2026","totp":"\#(stale)"}"#)
            #expect(staleResponse.status == .unauthorized)
            // auditors too; clerks do not need it
            _ = try await app.token("auditor.ha", totp: code)
            _ = try await app.token("clerk.zz")
        }
    }

    @Test func applicantToken_cannotReadStaffEndpoints() async throws {
        try await TestApp.run { app in
            let token = try await app.token("13800000001")
            for path in ["/api/v1/organisation", "/api/v1/organisation/regions", "/api/v1/audit/verify", "/api/v1/audit/records"] {
                let response = try await app.json(.get, path, token: token)
                #expect(response.status == .forbidden, "\(path)")
                #expect(try response.problem().code == "auth.forbidden")
            }
            // and without a token: 401
            #expect(try await app.json(.get, "/api/v1/organisation").status == .unauthorized)
            // a clerk may read the organisation but not the audit trail
            let clerk = try await app.token("clerk.zz")
            #expect(try await app.json(.get, "/api/v1/organisation", token: clerk).status == .ok)
            #expect(try await app.json(.get, "/api/v1/audit/verify", token: clerk).status == .forbidden)
        }
    }

    @Test func logout_invalidatesTheToken() async throws {
        try await TestApp.run { app in
            let token = try await app.token("13800000001")
            #expect(try await app.json(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await app.json(.post, "/api/v1/auth/logout", token: token).status == .noContent)
            #expect(try await app.json(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func me_masksIDNumberAndPhone() async throws {
        try await TestApp.run { app in
            let token = try await app.token("13800000001")
            let me = try await app.json(.get, "/api/v1/me", token: token)
            #expect(me.text.contains("\"idNumberMasked\":\"4101**********1234\""))
            #expect(me.text.contains("\"phoneMasked\":\"138****0001\""))
            #expect(!me.text.contains("410102199001011234"))
        }
    }

    @Test func sessionExpires_afterItsLifetime() async throws {
        try await TestApp.run { app in
            let token = try await app.token("13800000001")
            app.clock.advance(by: app.services.config.sessionLifetime + 1)
            #expect(try await app.json(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test func webLogin_everyDemoRole_landsOnItsHomePage() async throws {
        try await TestApp.run { app in
            let code = String(format: "%06d", TOTP(secret: DemoSeed.totpSecret).compute(date: app.clock.now))
            for login in DemoSeed.logins {
                var fields = ["username": login.username, "password": DemoSeed.password, "next": ""]
                if login.needsTOTP { fields["totp"] = code }
                let response = try await app.form("/login", fields)
                #expect(response.status == .seeOther, "\(login.username): \(response.text)")
                let cookie = try #require(app.sessionCookie(from: response))
                #expect(response.headers[values: .setCookie].contains { $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })
                let home = try await app.page("/home", cookie: cookie)
                #expect(home.status == .ok)
                #expect(home.text.contains("data-role=\"\(login.role.code)\""), "\(login.username)")
                #expect(home.text.contains(login.role.chineseName))
            }
        }
    }

    @Test func webLogin_adminWithoutTOTP_staysOnLoginWithMessage() async throws {
        try await TestApp.run { app in
            let response = try await app.form("/login", ["username": "admin.ha", "password": DemoSeed.password])
            #expect(response.status == .unauthorized)
            #expect(response.text.contains("动态验证码"))
            #expect(app.sessionCookie(from: response) == nil)
        }
    }

    @Test func homePage_withoutSession_redirectsToLogin() async throws {
        try await TestApp.run { app in
            let response = try await app.page("/home")
            #expect(response.status == .seeOther)
            #expect(response.headers[.location]?.hasPrefix("/login?next=") == true)
        }
    }
}
