import FluentKit
import Foundation
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import SQLKit
import Testing

@testable import OneVisitApp

/// R8.2.5: a clerk registers a walk-in person or a legal person at the window; the applicant
/// claims the account online with the one-time claim code and the SAME phone the clerk
/// recorded, then signs in and sees the window case. Attacks: wrong, reused and expired
/// codes, another phone, two parallel claims, a clerk of another region.
@Suite("Window intake and claim")
struct WindowIntakeClaimTests {
    static let personID = "410203198512154568"
    static let phone = "13712345678"
    static let company = "郑州新禾商贸有限公司"
    static let uscc = "91410100MA45ABC341"
    static let companyPhone = "13655556666"

    /// A case registered at clerk's window of 食品经营许可 (Zhengzhou) for `applicant` (JSON fields).
    static func window(_ app: TestApp, clerk: String = "clerk.zz", _ applicant: String) async throws -> TestResponse {
        let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
        let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
        return try await app.json(.post, "/api/v1/cases/window", token: try await app.token(clerk),
                                  body: #"{"implementationID":"\#(implementation)","channel":"walkIn",\#(applicant),"providedMaterials":[\#(required[0])]}"#)
    }

    static func person(name: String = "王五", idNumber: String = personID, phone: String = phone) -> String {
        #""name":"\#(name)","idNumber":"\#(idNumber)","phone":"\#(phone)""#
    }

    static func organisation(name: String = company, phone: String = companyPhone) -> String {
        #""applicantType":"organisation","name":"\#(name)","creditCode":"\#(uscc)","legalRepresentative":"赵强","contactName":"钱芳","phone":"\#(phone)""#
    }

    static func account(_ app: TestApp, _ column: String, _ value: String) async throws -> AccountRow {
        try #require(try await AccountRow.select(on: app.db.sql).where(SQLIdentifier(column), .equal, value).limit(1).row(AccountRow.self))
    }

    static func issue(_ app: TestApp, for account: UUID, clerk: String = "clerk.zz") async throws -> String {
        let issued = try await AccountSecurityTests.issueCode(app, for: account, clerk: clerk)
        #expect(issued.status == .created, "\(issued.text)")
        return try JSONDecoder().decode(AccountSecurityTests.IssuedCode.self, from: Data(buffer: issued.body)).code
    }

    static func claimPerson(_ app: TestApp, code: String, name: String = "王五", idNumber: String = personID, phone: String = phone) async throws -> TestResponse {
        try await app.json(.post, "/api/v1/applicants", body: #"{"type":"person","name":"\#(name)","idNumber":"\#(idNumber)","phone":"\#(phone)","password":"abc12345","claimCode":"\#(code)"}"#)
    }

    static func claimCompany(_ app: TestApp, code: String, phone: String = companyPhone) async throws -> TestResponse {
        try await app.json(.post, "/api/v1/applicants", body: #"{"type":"organisation","name":"\#(company)","creditCode":"\#(uscc)","legalRepresentative":"赵强","contactName":"钱芳","phone":"\#(phone)","password":"abc12345","claimCode":"\#(code)"}"#)
    }

    /// Whether the applicant signed in as `login` sees the case `id` in their list.
    static func sees(_ app: TestApp, login: String, case id: UUID) async throws -> Bool {
        let cases = try await app.json(.get, "/api/v1/cases", token: try await app.token(login, password: "abc12345"))
        return cases.status == .ok && cases.text.lowercased().contains(id.uuidString.lowercased())
    }

    static func wrongCode(_ code: String) -> String { code == "22222222" ? "33333333" : "22222222" }

    // MARK: the two journeys

    @Test func walkInPerson_claimsWithTheSamePhone_signsIn_andSeesTheWindowCase() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: registered at the window with phone P
            let registered = try await Self.window(app, Self.person())
            #expect(registered.status == .created, "\(registered.text)")
            let caseID = try CaseFlowTests.detail(registered).summary.id
            let walkIn = try await Self.account(app, "id_number", Self.personID)
            #expect(walkIn.phone == Self.phone)
            let code = try await Self.issue(app, for: walkIn.id)
            // act: the claim online with the same phone P
            let claimed = try await Self.claimPerson(app, code: code)
            // check
            #expect(claimed.status == .created, "\(claimed.text)")
            let account = try await Self.account(app, "id_number", Self.personID)
            #expect(account.id == walkIn.id)
            #expect(account.loginName == Self.phone)
            #expect(AccountService.isClaimed(account))
            #expect(try await Self.sees(app, login: Self.phone, case: caseID))
            #expect(try await app.count(ClaimCodeRow.self) == 0)
            #expect(try await app.count(AuditRecordRow.self, where: ["action": "account.claim", "object_id": walkIn.id.uuidString]) == 1)
        }
    }

    @Test func walkInSharingAFamilyPhone_stillClaimsWithIt() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a parent and a child registered with the one phone P; the child's account
            // could not take P as its login name (the 422 account.phone_taken the issue reports)
            let child = "410203201203060028"
            #expect(try await Self.window(app, Self.person(name: "王小五", idNumber: child)).status == .created)
            let second = try await Self.window(app, Self.person())
            #expect(second.status == .created, "\(second.text)")
            let caseID = try CaseFlowTests.detail(second).summary.id
            let parent = try await Self.account(app, "id_number", Self.personID)
            #expect(parent.loginName == "id:\(Self.personID)")
            let code = try await Self.issue(app, for: parent.id)
            // act
            let claimed = try await Self.claimPerson(app, code: code)
            // check: the parent signs in with P; the child's unclaimed account gave P up
            #expect(claimed.status == .created, "\(claimed.text)")
            #expect(try await Self.sees(app, login: Self.phone, case: caseID))
            #expect(try await Self.account(app, "id_number", child).loginName == "id:\(child)")
        }
    }

    @Test func legalPerson_registeredAtTheWindow_claimsByUSCC_andSeesTheCase() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let registered = try await Self.window(app, Self.organisation())
            #expect(registered.status == .created, "\(registered.text)")
            let caseID = try CaseFlowTests.detail(registered).summary.id
            let walkIn = try await Self.account(app, "credit_code", Self.uscc)
            #expect(walkIn.applicantType == "organisation")
            #expect(walkIn.loginName == Self.uscc)
            #expect(walkIn.legalRepresentative == "赵强")
            #expect(!AccountService.isClaimed(walkIn))
            // found again by USCC with the same name; refused under another name
            let again = try await Self.window(app, Self.organisation())
            let otherName = try await Self.window(app, Self.organisation(name: "郑州某某有限公司"))
            #expect(again.status == .created)
            #expect(try await app.count(AccountRow.self, where: ["credit_code": Self.uscc]) == 1)
            #expect(otherName.status == .unprocessableContent)
            #expect(try otherName.problem().code == "case.applicant_name_mismatch")
            // act: without a code, then with it and another phone, then right
            let noCode = try await Self.claimCompany(app, code: "")
            let code = try await Self.issue(app, for: walkIn.id)
            let otherPhone = try await Self.claimCompany(app, code: code, phone: "13600001111")
            let claimed = try await Self.claimCompany(app, code: code)
            // check
            #expect(try noCode.problem().code == "account.claim_code_required")
            #expect(try otherPhone.problem().code == "account.claim_code_invalid")
            #expect(claimed.status == .created, "\(claimed.text)")
            #expect(try await Self.sees(app, login: Self.uscc, case: caseID))
            let replay = try await Self.claimCompany(app, code: code)
            #expect(try replay.problem().code == "account.credit_code_taken")
        }
    }

    @Test func legalPerson_withABadUSCC_isRefusedAtTheWindow_andNothingIsWritten() async throws {
        try await TestApp.run(seed: .full) { app in
            let before = try await app.count(AccountRow.self)
            let bad = try await Self.window(app, Self.organisation().replacingOccurrences(of: Self.uscc, with: "91410100MA45ABC342"))
            let noRepresentative = try await Self.window(app, Self.organisation().replacingOccurrences(of: "赵强", with: ""))
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.problem().field == "creditCode")
            #expect(try noRepresentative.problem().code == "legalRepresentative.required")
            #expect(try await app.count(AccountRow.self) == before)
        }
    }

    // MARK: attacks

    @Test func wrongReusedAndExpiredCodes_andAnotherPhone_areRefused() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let registered = try await Self.window(app, Self.person())
            #expect(registered.status == .created)
            let walkIn = try await Self.account(app, "id_number", Self.personID)
            let first = try await Self.issue(app, for: walkIn.id)
            // act / check: a wrong code and another phone are each one wrong try, answered alike
            let wrong = try await Self.claimPerson(app, code: Self.wrongCode(first))
            let otherPhone = try await Self.claimPerson(app, code: first, phone: "13911112222")
            #expect(try wrong.problem().code == "account.claim_code_invalid")
            #expect(try otherPhone.problem().code == "account.claim_code_invalid")
            #expect(try wrong.problem().title == (try otherPhone.problem().title))
            let stored = try #require(try await ClaimCodeRow.select(on: app.db.sql).where("account_id", .equal, walkIn.id).limit(1).row(ClaimCodeRow.self))
            #expect(stored.failures == 2)
            #expect(!AccountService.isClaimed(try await Self.account(app, "id_number", Self.personID)))
            // expired: a new code, 24 h and 1 s later
            let second = try await Self.issue(app, for: walkIn.id)
            app.clock.advance(by: ClaimCode.lifetime + 1)
            #expect(try await Self.claimPerson(app, code: second).problem().code == "account.claim_code_invalid")
            #expect(try await app.count(ClaimCodeRow.self) == 0)
            // reused: a fresh code claims once; the same request again is refused
            let third = try await Self.issue(app, for: walkIn.id)
            #expect(try await Self.claimPerson(app, code: third).status == .created)
            let replay = try await Self.claimPerson(app, code: third)
            #expect(replay.status == .unprocessableContent)
            #expect(try replay.problem().code == "account.id_number_taken")
            // a claimed account gets no new code
            #expect(try await AccountSecurityTests.issueCode(app, for: walkIn.id).status == .conflict)
            #expect(try await app.count(AuditRecordRow.self, where: ["action": "account.claim"]) == 1)
            #expect(try await app.count(AuditRecordRow.self, where: ["action": "account.claim_refused"]) == 3)
        }
    }

    @Test func twoParallelClaims_exactlyOneWins() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            #expect(try await Self.window(app, Self.person()).status == .created)
            let walkIn = try await Self.account(app, "id_number", Self.personID)
            let code = try await Self.issue(app, for: walkIn.id)
            // act: the right claim sent twice at once
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 { group.addTask { Int(try await Self.claimPerson(app, code: code).status.code) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // check
            #expect(statuses.sorted() == [201, 422])
            #expect(try await app.count(AuditRecordRow.self, where: ["action": "account.claim"]) == 1)
            #expect(try await app.count(AccountRow.self, where: ["id_number": Self.personID]) == 1)
        }
    }

    @Test func aClerkOfAnotherRegion_canNeitherRegisterHereNorPrintACode() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a Zhengzhou walk-in, person and company
            #expect(try await Self.window(app, Self.person()).status == .created)
            #expect(try await Self.window(app, Self.organisation()).status == .created)
            let person = try await Self.account(app, "id_number", Self.personID)
            let company = try await Self.account(app, "credit_code", Self.uscc)
            // act / check: Kaifeng's clerk
            #expect(try await Self.window(app, clerk: "clerk.kf", Self.person()).status == .forbidden)
            #expect(try await AccountSecurityTests.issueCode(app, for: person.id, clerk: "clerk.kf").status == .notFound)
            #expect(try await AccountSecurityTests.issueCode(app, for: company.id, clerk: "clerk.kf").status == .notFound)
            #expect(try await app.count(ClaimCodeRow.self) == 0)
            // an applicant already claimed (the demo company) gets no code, and no claim takes it
            let demo = try await Self.account(app, "credit_code", "91410100MA44XY1K2N")
            let demoCode = try await AccountSecurityTests.issueCode(app, for: demo.id).status
            #expect(demoCode == .notFound || demoCode == .conflict, "\(demoCode)")
            let takeover = try await app.json(.post, "/api/v1/applicants", body: #"{"type":"organisation","name":"郑州示范食品有限公司","creditCode":"91410100MA44XY1K2N","legalRepresentative":"李明","contactName":"王芳","phone":"13900000002","password":"abc12345","claimCode":"22222222"}"#)
            #expect(try takeover.problem().code == "account.credit_code_taken")
            #expect(try await app.count(CaseRow.self, where: ["applicant_id": person.id]) == 1)
        }
    }

    // MARK: pages

    @Test func windowForm_registersALegalPerson_andTheSlipNamesTheUSCCAndMaskedPhone() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let clerk = try #require(app.sessionCookie(from: try await app.form("/login", ["username": "clerk.zz", "password": DemoSeed.password])))
            let form = try await app.page("/desk/new?item=\(implementation)", cookie: clerk)
            #expect(form.text.contains("<label for=\"applicantType\">"))
            #expect(form.text.contains("<label for=\"creditCode\">"))
            // act
            let posted = try await app.form("/desk/new", [
                "implementationID": implementation.uuidString, "channel": "walkIn", "applicantType": "organisation", "name": Self.company,
                "creditCode": Self.uscc, "legalRepresentative": "赵强", "contactName": "钱芳", "phone": Self.companyPhone,
                "provided_\(required[0])": "1", "deliveryMode": "pickup"], cookie: clerk)
            // check
            #expect(posted.status == .seeOther, "\(posted.text)")
            let company = try await Self.account(app, "credit_code", Self.uscc)
            let slip = try await app.form("/applicants/\(company.id)/claim-code", [:], cookie: clerk)
            #expect(slip.status == .ok)
            #expect(slip.text.contains("统一社会信用代码"))
            #expect(slip.text.contains("136****6666"))
            #expect(!slip.text.contains(Self.companyPhone))
            #expect(!slip.text.contains(Self.uscc))
        }
    }
}
