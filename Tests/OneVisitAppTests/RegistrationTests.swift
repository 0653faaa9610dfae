import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OneVisitApp

@Suite("Registration")
struct RegistrationTests {
    static let validPerson = #"{"type":"person","name":"李四","idNumber":"410203198512154568","phone":"13912345678","password":"abc12345"}"#

    @Test func registration_wrongIDCheckCharacter_is422AndStoresNothing() async throws {
        try await TestApp.run { app in
            // setup
            let accountsBefore = try await app.count(AccountRow.self)
            let auditBefore = try await app.count(AuditRecordRow.self)
            // act
            let response = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson.replacingOccurrences(of: "4568", with: "4567"))
            // check
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.problem()
            #expect(problem.code == "resident_id.check_character")
            #expect(problem.title.contains("校验位"))
            #expect(problem.field == "idNumber")
            #expect(try await app.count(AccountRow.self) == accountsBefore)
            #expect(try await app.count(AuditRecordRow.self) == auditBefore)
        }
    }

    @Test func registration_impossibleBirthDate_hasItsOwnMessage() async throws {
        try await TestApp.run { app in
            // 1985-02-30 does not exist; the check character is right for the digits.
            let response = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson.replacingOccurrences(of: "410203198512154568", with: "41020319850230456X"))
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.code == "resident_id.birth_date")
            #expect(problem.title.contains("出生日期"))
            #expect(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, "13912345678").rows(AccountRow.self).count == 0)
        }
    }

    @Test func registration_wrongCreditCodeCheckCharacter_is422() async throws {
        try await TestApp.run { app in
            let body = #"{"type":"organisation","name":"开封示范商贸有限公司","creditCode":"91410200MA45AB3C4D","legalRepresentative":"王五","contactName":"赵六","phone":"13700000003","password":"abc12345"}"#
            let response = try await app.json(.post, "/api/v1/applicants", body: body)
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.code == "credit_code.check_character")
            #expect(problem.title.contains("统一社会信用代码"))
            #expect(try await AccountRow.select(on: app.db.sql).where("credit_code", .equal, "91410200MA45AB3C4D").rows(AccountRow.self).count == 0)
            // the right check character registers
            let ok = try await app.json(.post, "/api/v1/applicants", body: body.replacingOccurrences(of: "C4D", with: "C4C"))
            #expect(ok.status == .created)
        }
    }

    @Test func registration_valid_createsAccountWithAuditAndMaskedView() async throws {
        try await TestApp.run { app in
            let response = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson)
            #expect(response.status == .created, "\(response.text)")
            #expect(response.text.contains("\"idNumberMasked\":\"4102**********4568\""))
            #expect(!response.text.contains("410203198512154568"))
            let audit = try await app.rows(AuditRecordRow.self, where: ["action": "account.register"])
            #expect(audit.count == 1)
            // the same phone again is refused
            let again = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson.replacingOccurrences(of: "410203198512154568", with: "410102199001011234"))
            #expect(again.status == .unprocessableContent)
            #expect(try again.problem().code == "account.phone_taken")
        }
    }

    @Test func registrationForm_badID_reshowsFormWithMessageAndValues() async throws {
        try await TestApp.run { app in
            let before = try await app.count(AccountRow.self)
            let response = try await app.form("/register", [
                "kind": "person", "name": "王小明", "idNumber": "410203198512154567", "phone": "13912345678",
                "password": "abc12345", "passwordConfirm": "abc12345",
            ])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("class=\"form-error\""))
            #expect(response.text.contains("校验位"))
            #expect(response.text.contains("value=\"王小明\""))
            #expect(try await app.count(AccountRow.self) == before)
        }
    }

    @Test func registrationForm_valid_signsInAndRedirectsHome() async throws {
        try await TestApp.run { app in
            let response = try await app.form("/register", [
                "kind": "person", "name": "王小明", "idNumber": "410203198512154568", "phone": "13912345678",
                "password": "abc12345", "passwordConfirm": "abc12345",
            ])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/home")
            let cookie = try #require(app.sessionCookie(from: response))
            let home = try await app.page("/home", cookie: cookie)
            #expect(home.status == .ok)
            #expect(home.text.contains("data-role=\"applicant\""))
        }
    }

    @Test func registrationForm_withoutCSRF_isRefused() async throws {
        try await TestApp.run { app in
            let before = try await app.count(AccountRow.self)
            let response = try await app.form("/register", ["kind": "person", "name": "王小明", "idNumber": "410203198512154568", "phone": "13912345678", "password": "abc12345", "passwordConfirm": "abc12345"], csrf: "forged-token-forged-token-000")
            #expect(response.status == .forbidden)
            #expect(response.text.contains("页面已过期"))
            #expect(try await app.count(AccountRow.self) == before)
        }
    }

    @Test func registration_sameIdempotencyKey_createsOnce_andOtherBodyIs422() async throws {
        try await TestApp.run { app in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "reg-0001"]
            let first = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson, headers: key)
            let second = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.text == first.text)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, "13912345678").rows(AccountRow.self).count == 1)
            let other = try await app.json(.post, "/api/v1/applicants", body: Self.validPerson.replacingOccurrences(of: "李四", with: "李五"), headers: key)
            #expect(other.status == .unprocessableContent)
            #expect(try other.problem().code == "idempotency.key_reused")
        }
    }
}
