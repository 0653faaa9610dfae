import Foundation
import Hummingbird
import HummingbirdOTP
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// The typed paths of the non-case pages: links, the sign-in's return pages, the home tiles and
/// the role-scoped contexts.
@Suite("Site paths of the pages")
struct SitePathPagesTests {
    @Test func links_fillParametersAndEncodeThem() {
        let id = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!
        #expect(SitePath.Site.portal.link == "/")
        #expect(SitePath.Accounts.claimCode(id).link == "/applicants/6F9619FF-8B86-D011-B42D-00C04FC964FF/claim-code")
        #expect(SitePath.Catalog.download("ab12", "申请表 1.pdf").link == "/downloads/ab12/%E7%94%B3%E8%AF%B7%E8%A1%A8%201.pdf")
        #expect(SitePath.Supervision.department(id).link(query: [("filter", "open"), ("region", "")])
                == "/supervision/departments/6F9619FF-8B86-D011-B42D-00C04FC964FF?filter=open")
        #expect(SitePath.Supervision.export.link == "/supervision.csv")
    }

    @Test func everyReturnPage_isAcceptedAsNext_andItsNeighboursAreNot() {
        let id = UUID().uuidString
        for page in SitePath.returnPages {
            let path = "/" + page.segments { _, _ in id }.joined(separator: "/")
            #expect(AccountRoutes.safeNext(path) == path)
            #expect(AccountRoutes.safeNext("/evil.example" + path) == "/home", "\(path)")
        }
        #expect(AccountRoutes.safeNext("/cases/..") == "/home")
        #expect(AccountRoutes.safeNext(SitePath.Accounts.login.link) == "/home")
    }

    @Test func homeTiles_leadToPagesTheirRoleMayOpen() async throws {
        try await TestApp.run { app in
            let code = String(format: "%06d", TOTP(secret: DemoSeed.totpSecret).compute(date: app.clock.now))
            for login in DemoSeed.logins {
                var fields = ["username": login.username, "password": DemoSeed.password]
                if login.needsTOTP { fields["totp"] = code }
                let cookie = try #require(app.sessionCookie(from: try await app.form(SitePath.Accounts.login.link, fields)))
                let home = try await app.page(SitePath.Accounts.home.link, cookie: cookie)
                for capability in login.role.capabilities {
                    guard case .available(let destination) = capability.status else { continue }
                    let link = destination.sitePath.link
                    #expect(home.text.contains("href=\"\(link)\""), "\(login.username) \(link)")
                    let page = try await app.page(link, cookie: cookie)
                    #expect(page.status == .ok, "\(login.username) \(link): \(page.status)")
                }
            }
        }
    }

    @Test func scopedPages_redirectToLoginWithoutSignIn_andRefuseOtherRoles() async throws {
        try await TestApp.run { app in
            let scoped: [any SitePathProtocol] = [
                SitePath.Accounts.home, SitePath.Accounts.account, SitePath.Accounts.claimCode(UUID()), SitePath.Catalog.entries,
                SitePath.Catalog.drift, SitePath.Organisation.overview, SitePath.Audit.trail, SitePath.Supervision.dashboard,
                SitePath.Supervision.export, SitePath.Supervision.department(UUID()),
            ]
            let applicant = try #require(app.sessionCookie(from: try await app.form(
                SitePath.Accounts.login.link, ["username": "13800000001", "password": DemoSeed.password])))
            for path in scoped {
                let anonymous = try await app.page(path.link)
                #expect(anonymous.status == .seeOther, "\(path.link)")
                #expect(anonymous.headers[.location]?.hasPrefix("/login?next=%2F") == true, "\(path.link)")
                if path.link == "/home" || path.link == "/account" { continue }
                #expect(try await app.page(path.link, cookie: applicant).status == .forbidden, "\(path.link)")
            }
        }
    }
}
