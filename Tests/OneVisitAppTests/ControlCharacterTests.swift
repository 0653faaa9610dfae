import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// Issue 10 item 10: a NUL byte (or another control character) anywhere a person types
/// text is a 422 with its code on both databases — PostgreSQL answered 500 before.
@Suite("Control characters")
struct ControlCharacterTests {
    @Test func nulInQueryLoginAddressAndReason_is422_andChangesNothing() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a case of 张三 to withdraw
            let applicant = try await app.token("13800000001")
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let c = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: [0, 4]))
            let cases = try await app.count(CaseRow.self)
            let audit = try await app.count(AuditRecordRow.self)
            // act
            let answers: [(String, TestResponse)] = [
                ("search page", try await app.page("/guides?q=%E9%A3%9F%E5%93%81%00")),
                ("search API", try await app.json(.get, "/api/v1/guides?q=%E9%A3%9F%E5%93%81%00")),
                ("path", try await app.page("/guides/abc%00def")),
                ("login", try await app.json(.post, "/api/v1/auth/login", body: #"{"username":"13800000001\u0000","password":"x"}"#)),
                ("address", try await app.json(.post, "/api/v1/cases", token: applicant,
                                               body: #"{"implementationID":"\#(implementation)","deliveryMode":"post","deliveryAddress":"郑州市金水路\u0000 1 号","materials":[]}"#)),
                ("withdraw API", try await app.json(.post, "/api/v1/cases/\(c.summary.id)/withdraw", token: applicant, body: #"{"reason":"不办了\u0000"}"#)),
                ("escape b", try await app.json(.post, "/api/v1/cases/\(c.summary.id)/withdraw", token: applicant, body: #"{"reason":"不办了\b"}"#)),
            ]
            let login = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            let form = try await app.form("/cases/\(c.summary.id)/withdraw", ["reason": "不办了\u{0}", "version": "\(c.summary.version)"], cookie: cookie)
            // check
            for (name, response) in answers + [("withdraw form", form)] {
                #expect(response.status == .unprocessableContent, "\(name): \(response.status) \(response.text.prefix(200))")
                if name.contains("API") || name == "login" || name == "address" || name == "escape b" {
                    #expect(try response.problem().code == "request.control_character", "\(name)")
                }
            }
            #expect(try await app.count(CaseRow.self) == cases)
            #expect(try await app.caseRow(c.summary.id)?.state == .received)
            // the form sign-in above is the only write
            #expect(try await app.count(AuditRecordRow.self) == audit + 1)
            // a line break in a reason is fine
            let ok = try await app.json(.post, "/api/v1/cases/\(c.summary.id)/withdraw", token: applicant, body: #"{"reason":"第一行\n第二行"}"#)
            #expect(ok.status == .ok, "\(ok.text)")
        }
    }
}
