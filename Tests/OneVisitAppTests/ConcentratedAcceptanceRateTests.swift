import FluentKit
import Foundation
import HummingbirdTesting
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// R11.3.4 (a) 集中受理率 from real acceptances: at a comprehensive window, online, and at a
/// department's own window, in the JSON, the CSV and the page, with the counters exact.
@Suite("Concentrated acceptance rate (R11.3.4 a)")
struct ConcentratedAcceptanceRateTests {
    /// clerk.zz sits at the comprehensive window A01 only; clerk.zz.b at the 税务局's own window
    /// B01 only (the seed has them at A01/A02, each the other's B holder).
    static func postClerks(_ app: TestApp) async throws {
        let sql = app.db.sql
        func account(_ login: String) async throws -> UUID {
            try #require(try await AccountRow.select(on: sql).where("login_name", .equal, login).limit(1).row(AccountRow.self)).id
        }
        let zzb = try await account("clerk.zz.b")
        let centre = try #require(try await ServiceCentreModel.query(on: app.db).filter(\.$regionCode == "410100").first())
        let single = try #require(try await WindowModel.query(on: app.db).filter(\.$centreID == centre.id!).filter(\.$number == "B01").first())
        #expect(single.kind != "comprehensive")
        for post in try await PostModel.query(on: app.db).all() {
            if post.holderBID == zzb { post.holderBID = nil }
            if post.holderAID == zzb { post.windowID = single.id; post.holderBID = nil }
            try await post.save(on: app.db)
        }
    }

    static func registerAtWindow(_ app: TestApp, clerk: String, implementation: UUID, required: [Int], name: String, idNumber: String, phone: String) async throws -> UUID {
        let body = #"{"implementationID":"\#(implementation)","channel":"walkIn","name":"\#(name)","idNumber":"\#(idNumber)","phone":"\#(phone)","providedMaterials":[\#(required.map(String.init).joined(separator: ","))],"deliveryMode":"pickup","feeCondition":"住宅"}"#
        let response = try await app.json(.post, "/api/v1/cases/window", token: try await app.token(clerk), body: body)
        #expect(response.status == .created || response.status == .ok, "\(response.text)")
        return try CaseFlowTests.detail(response).summary.id
    }

    @Test func rate_countsComprehensiveWindowAndOnlineNotADepartmentWindow() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 不动产首次登记 in Zhengzhou
            try await Self.postClerks(app)
            let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token(CaseFixtures.applicant)
            let zz = try await app.token("clerk.zz"), zzb = try await app.token("clerk.zz.b")
            let atComprehensive = try await Self.registerAtWindow(app, clerk: "clerk.zz", implementation: implementation, required: required,
                                                                  name: "王五", idNumber: "410102198503151232", phone: "13712345678")
            let atDepartment = try await Self.registerAtWindow(app, clerk: "clerk.zz.b", implementation: implementation, required: required,
                                                               name: "赵六", idNumber: "41010219920708456X", phone: "13712345679")
            let online = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required)).summary.id
            let notAccepted = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required)).summary.id

            // act: the comprehensive window's clerk accepts the first; the department window's clerk
            // the online one (accepted on the platform whoever records it) and its own walk-in, whose
            // venue a forged field in the body cannot set
            #expect(try await CaseFlowTests.step(app, zz, "/api/v1/cases/\(atComprehensive)/accept").status == .ok)
            #expect(try await CaseFlowTests.step(app, zzb, "/api/v1/cases/\(online)/accept").status == .ok)
            let forged = try await CaseFlowTests.step(app, zzb, "/api/v1/cases/\(atDepartment)/accept", #"{"acceptedVia":"comprehensive"}"#)
            if forged.status != .ok {
                #expect(try await CaseFlowTests.step(app, zzb, "/api/v1/cases/\(atDepartment)/accept").status == .ok)
            }

            // check: the recorded venues
            #expect(try await app.caseRow(atComprehensive)?.acceptedVia == .comprehensiveWindow)
            #expect(try await app.caseRow(online)?.acceptedVia == .online)
            #expect(try await app.caseRow(atDepartment)?.acceptedVia == .departmentWindow)
            let waiting = try #require(try await app.caseRow(notAccepted))
            #expect(waiting.acceptedVia == nil && waiting.clockStart == nil)
            let department = waiting.departmentID

            // 4 received, 3 accepted, 2 concentrated (comprehensive window, online): 2 ÷ 3 = 66.7 %
            let supervisor = try await app.token("supervisor.ha")
            let response = try await app.json(.get, "/api/v1/supervision/kpis?region=410100", token: supervisor)
            #expect(response.status == .ok, "\(response.text)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let rows = try #require(json["departments"] as? [[String: Any]])
            let row = try #require(rows.first { ($0["departmentID"] as? String)?.lowercased() == department.uuidString.lowercased() })
            let figures = try #require(row["figures"] as? [String: Any])
            #expect(figures["received"] as? Int == 4)
            #expect(figures["accepted"] as? Int == 3)
            #expect(figures["acceptedConcentrated"] as? Int == 2)
            #expect(figures["concentratedRatePerMille"] as? Int == 667)
            let total = try #require(json["total"] as? [String: Any])
            #expect(total["acceptedConcentrated"] as? Int == 2 && total["concentratedRatePerMille"] as? Int == 667)
            // a department without acceptances has no rate
            let idle = try #require(rows.first { ($0["figures"] as? [String: Any])?["accepted"] as? Int == 0 })
            #expect((idle["figures"] as? [String: Any])?["concentratedRatePerMille"] == nil)

            // CSV: 收件, 受理, 集中受理, 集中受理率 after the department's name
            let cookie = try #require(app.sessionCookie(from: try await app.form("/login", ["username": "supervisor.ha", "password": DemoSeed.password])))
            let csv = try await app.page("/supervision.csv?region=410100", cookie: cookie)
            #expect(csv.status == .ok)
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.first?.hasPrefix("\u{FEFF}区划,部门,收件,受理,集中受理,集中受理率,当场受理,当场受理率,") == true)
            #expect(lines.contains { $0.contains(",4,3,2,66.7%,") }, "\(lines.filter { $0.contains(",4,") })")
            #expect(lines.last?.contains(",合计,4,3,2,66.7%,") == true)

            // page: the rate and its definition
            let page = try await app.page("/supervision?region=410100", cookie: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("集中受理率") && page.text.contains("66.7%"))
            #expect(page.text.contains("在综合受理窗口或网上统一受理的件数") && page.text.contains("11.3.4 a"))

            // the counters equal a recount from the cases
            let report = try await KPIVerifyReport.run(on: app.services)
            #expect(report.differences.isEmpty, "\(report.differences.map(\.jsonLine))")
        }
    }

    /// The migration's back-fill and `kpi-verify`: a changed 集中受理 counter is found, a rebuild
    /// recounts it, and an online case whose venue was never recorded still counts.
    @Test func counters_verifyAndRebuildTheConcentratedCount() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: the fixtures' four accepted cases, all applied for online
            let fixtures = try await CaseFixtures.make(app)
            let sql = app.services.persistence.sql
            let c = try #require(try await CaseRow.find(fixtures.underReview.summary.id, on: sql))
            #expect(c.acceptedVia == .online)
            let sums = try await KPICounters.sums(departments: [c.departmentID], from: c.receivedOn, to: c.receivedOn, on: sql)
            #expect(sums[c.departmentID]?.acceptedConcentrated == 4 && sums[c.departmentID]?.accepted == 4)
            // act: a counter changed behind the transitions' back, and a venue lost as before the migration
            try await app.services.persistence.transaction { tx in
                try await tx.sql.update(KPICounters.table).set("concentrated", to: SQLRaw("concentrated + 1"))
                    .where("department_id", .equal, c.departmentID).where("item_code", .equal, c.itemCode).where("day", .equal, c.receivedOn).run()
                try await tx.sql.update(CaseRow.table).set("accepted_via", to: SQLLiteral.null).where("id", .equal, c.id).run()
            }
            // check
            let differences = try await KPICounters.verify(on: sql).differences
            #expect(differences.count == 1)
            #expect(differences.first?.stored.acceptedConcentrated == 5 && differences.first?.counted.acceptedConcentrated == 4)
            try await app.services.persistence.transaction { tx in try await KPICounters.rebuild(on: tx.sql) }
            #expect(try await KPICounters.verify(on: sql).differences.isEmpty)
            let rebuilt = try await KPICounters.sums(departments: [c.departmentID], from: c.receivedOn, to: c.receivedOn, on: sql)
            #expect(rebuilt[c.departmentID]?.acceptedConcentrated == 4)
        }
    }
}
