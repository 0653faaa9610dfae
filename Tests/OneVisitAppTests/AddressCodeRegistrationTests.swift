import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// An identity number whose six-digit address code is no GB/T 2260 code is refused wherever a
/// number is entered — online registration, the registration page, the window's intake — with
/// its own code, `resident_id.address_code` (GB 11643-1999 §4.2; issue 13, point 4).
@Suite("Address codes at registration")
struct AddressCodeRegistrationTests {
    /// 江西 (36) is a province, 368913 no code; the check character (6) is right for the digits.
    static let unknownCode = "368913202101019006"

    static func person(_ idNumber: String, phone: String = "13912345678") -> String {
        #"{"type":"person","name":"李四","idNumber":"\#(idNumber)","phone":"\#(phone)","password":"abc12345"}"#
    }

    @Test func registration_unknownAddressCode_is422WithItsOwnCode_andStoresNothing() async throws {
        try await TestApp.run { app in
            // setup
            let accountsBefore = try await app.count(AccountRow.self)
            let auditBefore = try await app.count(AuditRecordRow.self)
            // act
            let response = try await app.json(.post, "/api/v1/applicants", body: Self.person(Self.unknownCode))
            // check
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try response.problem()
            #expect(problem.code == "resident_id.address_code")
            #expect(problem.title.contains("前6位"))
            #expect(problem.field == "idNumber")
            #expect(try await app.count(AccountRow.self) == accountsBefore)
            #expect(try await app.count(AuditRecordRow.self) == auditBefore)
            // the other number of the issue: 河南 (41), 418905 no code
            let second = try await app.json(.post, "/api/v1/applicants", body: Self.person("41890520080318217X", phone: "13912345679"))
            #expect(try second.problem().code == "resident_id.address_code")
        }
    }

    @Test func registration_underAnAbolishedCountysCode_succeeds() async throws {
        try await TestApp.run { app in
            // 410121 荥阳县 (until 1993); check character by hand: Σ = 207, 207 mod 11 = 9 → "3"
            let response = try await app.json(.post, "/api/v1/applicants", body: Self.person("410121197505060013"))
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test func registrationPage_unknownAddressCode_is422WithTheMessageAtTheField() async throws {
        try await TestApp.run { app in
            let response = try await app.form("/register", [
                "kind": "person", "name": "王小明", "idNumber": Self.unknownCode, "phone": "13912345678",
                "password": "abc12345", "passwordConfirm": "abc12345",
            ])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains(IdentityNumberError.residentIDAddressCode.message))
            #expect(response.text.contains("data-field=\"idNumber\""))
            #expect(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, "13912345678").rows(AccountRow.self).isEmpty)
        }
    }

    @Test func windowIntake_unknownAddressCode_is422AndOpensNoCase() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let (_, files) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let clerk = try await app.token("clerk.zz")
            let casesBefore = try await app.db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(CaseRow.table)
                .first()?.decode(column: "n", as: Int.self)
            let response = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: """
                {"implementationID":"\(implementation)","channel":"walkIn","name":"钱多多","idNumber":"41890520080318217X","phone":"13712345678","providedMaterials":\(files)}
                """)
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.code == "resident_id.address_code")
            #expect(problem.field == "idNumber")
            let casesAfter = try await app.db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(CaseRow.table)
                .first()?.decode(column: "n", as: Int.self)
            #expect(casesAfter == casesBefore)
        }
    }
}
