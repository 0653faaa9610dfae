import FluentKit
import Foundation
import HummingbirdTesting
import OneVisitAPI
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// R8.5.6 (issue 14 point 4): the public register of granted decisions that must be publicised.
/// 不动产首次登记 (QR00811001) is publicised; 食品经营许可 (XK00123001) is not.
@Suite("Publicity of results")
struct PublicityTests {
    typealias Page = Components.Schemas.PublicityPage

    static func page(_ app: TestApp, _ query: String = "") async throws -> Page {
        let response = try await app.json(.get, "/api/v1/publicity" + query)
        guard response.status == .ok else { throw TestFailure("publicity\(query) answered \(response.status): \(response.text.prefix(300))") }
        return try JSONDecoder().decode(Page.self, from: Data(buffer: response.body))
    }

    static func decisionNumber(_ app: TestApp, _ id: UUID) async throws -> String {
        try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "kind": CaseDocumentKind.decision]).first).number
    }

    static func step(_ app: TestApp, _ login: String, _ id: UUID, _ path: String, _ body: String = "{}") async throws -> CaseDetail {
        let response = try await CaseFlowTests.step(app, try await app.token(login), "/api/v1/cases/\(id)/\(path)", body)
        guard response.status.code < 300 else { throw TestFailure("\(login) \(path) answered \(response.status): \(response.text.prefix(300))") }
        app.clock.advance(by: 60)
        return try CaseFlowTests.detail(response)
    }

    /// Completes every review task with approval, each by a reviewer of its department.
    static func approveTasks(_ app: TestApp, _ c: CaseDetail, reviewer: (String) -> String) async throws -> CaseDetail {
        var c = c
        for task in c.tasks.sorted(by: { $0.departmentName < $1.departmentName }) {
            c = try await step(app, reviewer(task.departmentName), c.summary.id, "tasks/\(task.id)/complete", #"{"approve":true,"note":"材料齐全，符合要求"}"#)
        }
        return c
    }

    @Test func approvedPublicisedCases_only_personMasked_companyInFull_noPersonalData() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 张三's 不动产登记 cases in every main state (two approved, one rejected, others pending)
            let fixtures = try await CaseFixtures.make(app)
            let withdrawn = try await Self.step(app, CaseFixtures.applicant, fixtures.received.summary.id, "withdraw", #"{"reason":"暂不办理"}"#)
            #expect(withdrawn.summary.state == "withdrawn")
            // a company's case of the same item, approved (its holder made the company's in the table)
            let company = try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, "91410100MA44XY1K2N").limit(1).row(AccountRow.self))
            let companyCase = fixtures.underReview.summary.id
            try await app.db.sql.update(CaseRow.table).set("applicant_id", to: company.id).set("applicant_name", to: company.displayName)
                .set("applicant_id_number", to: company.creditCode).set("applicant_phone", to: company.phone ?? "").where("id", .equal, companyCase).run()
            _ = try await Self.approveTasks(app, fixtures.underReview) { $0.contains("税务") ? "reviewer.zz.sw" : "reviewer.zz.zr" }
            _ = try await Self.step(app, CaseFixtures.leadHead, companyCase, "decide", #"{"decision":"approve"}"#)
            // 张三's approved 食品经营许可: an item that is not publicised
            let food = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let (_, foodMaterials) = try await CaseFlowTests.requiredMaterials(app, food)
            let submitted = try await CaseFlowTests.submit(app, token: try await app.token(CaseFixtures.applicant), implementation: food, files: foodMaterials, mode: "pickup")
            var foodCase = try CaseFlowTests.detail(submitted)
            foodCase = try await Self.step(app, CaseFixtures.clerk, foodCase.summary.id, "accept")
            foodCase = try await Self.approveTasks(app, foodCase) { $0.contains("市场监督") ? "reviewer.zz" : "head.zz" }
            foodCase = try await Self.step(app, "head.zz", foodCase.summary.id, "decide", #"{"decision":"approve"}"#)
            #expect(foodCase.summary.state != "reviewed")

            // act
            let all = try await Self.page(app)
            let html = try await app.page("/publicity")

            // check: exactly the three approved publicised cases, newest first
            let pickupNumber = try await Self.decisionNumber(app, fixtures.approvedPickup.summary.id)
            let deliveredNumber = try await Self.decisionNumber(app, fixtures.delivered.summary.id)
            let companyNumber = try await Self.decisionNumber(app, companyCase)
            let foodNumber = try await Self.decisionNumber(app, foodCase.summary.id)
            let rejectedNumber = try await Self.decisionNumber(app, fixtures.rejected.summary.id)
            #expect(all.results.map(\.decisionNumber) == [companyNumber, deliveredNumber, pickupNumber])
            #expect(all.page == 1 && all.pageSize == 20 && !all.hasMore)
            let person = try #require(all.results.last)
            let caseRow = try #require(try await app.caseRow(fixtures.approvedPickup.summary.id))
            let organ = try #require(try await DepartmentModel.find(caseRow.departmentID, on: app.db)).name
            #expect(person.holderName == "张*")
            #expect(!person.holderIsOrganisation)
            #expect(person.organ == organ)
            #expect(person.regionName == "郑州市")
            #expect(person.itemName == caseRow.itemName)
            #expect(person.decision == "准予")
            #expect(person.decisionTitle == "行政确认决定书")
            #expect(all.results.first?.holderName == company.displayName)
            #expect(all.results.first?.holderIsOrganisation == true)
            #expect(html.status == .ok)
            #expect(html.text.contains("张*") && html.text.contains(organ) && html.text.contains(company.displayName) && html.text.contains(pickupNumber))
            // neither the rejected, the withdrawn, the pending nor the unpublicised case
            for text in [all.results.map(\.decisionNumber).joined(separator: " "), html.text] {
                #expect(!text.contains(rejectedNumber) && !text.contains(foodNumber))
            }
            // no personal data: not 张三's name, ID number or phone, nor the company's phone
            let zhang = try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, CaseFixtures.applicant).limit(1).row(AccountRow.self))
            let json = try await app.json(.get, "/api/v1/publicity").text
            for text in [json, html.text] {
                for secret in [zhang.displayName, zhang.idNumber ?? "-", zhang.phone ?? "-", company.phone ?? "-", CaseFixtures.applicant] {
                    #expect(!text.contains(secret), "\(secret) is public")
                }
            }
        }
    }

    @Test func search_byHolderItemOrNumber_personOnlyAsMasked_wildcardsLiteral() async throws {
        try await TestApp.run(seed: .full) { app in
            let fixtures = try await CaseFixtures.make(app)
            let pickupNumber = try await Self.decisionNumber(app, fixtures.approvedPickup.summary.id)
            func numbers(_ q: String) async throws -> [String] {
                try await Self.page(app, "?q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q)).results.map(\.decisionNumber)
            }
            #expect(try await numbers(pickupNumber) == [pickupNumber])
            #expect(try await numbers("张*").count == 2)
            #expect(try await numbers("不动产").count == 2)
            // a person is not found by their full name: the register does not confirm who holds what
            #expect(try await numbers("张三").isEmpty)
            // LIKE wildcards are taken literally
            #expect(try await numbers("%").isEmpty)
            #expect(try await numbers("_").isEmpty)
            // the page: the search box has a visible label and keeps the query
            let html = try await app.page("/publicity?q=" + (pickupNumber.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            #expect(html.text.contains(#"<label for="publicity-q">"#))
            #expect(html.text.contains(pickupNumber))
            // the portal links to the register
            #expect(try await app.page("/").text.contains(#"href="/publicity""#))
            // the migration's backfill enters the same results from the `publicise` events
            let before = try await Self.page(app)
            try await app.db.sql.delete(from: PublicityRow.table).run()
            #expect(try await Self.page(app).results.isEmpty)
            try await AddPublicityResults.backfill(on: app.db)
            let after = try await Self.page(app)
            #expect(after.results.count == 2)
            #expect(after.results.map(\.decisionNumber) == before.results.map(\.decisionNumber))
            #expect(after.results.map(\.holderName) == ["张*", "张*"])
        }
    }

    @Test func pages_twentyNewestFirst_badPageIs422() async throws {
        try await TestApp.run(seed: .organisation) { app in
            // setup: 21 entries a minute apart
            let start = app.clock.now
            let rows = (0..<21).map { i in
                PublicityRow(id: UUID(), publishedAt: start.addingTimeInterval(Double(i) * 60), decidedOn: CalendarDate(year: 2026, month: 11, day: 20)!,
                             itemCode: "QR00811001", itemName: "不动产首次登记", holderName: "王*", holderIsOrganisation: false,
                             decisionTitle: "行政确认决定书", decisionNumber: "豫郑确字〔2026〕第\(i + 1)号", organ: "郑州市自然资源和规划局",
                             regionCode: "410100", regionName: "郑州市")
            }
            try await PublicityRow.insert(rows, on: app.db.sql)

            let first = try await Self.page(app)
            let second = try await Self.page(app, "?page=2")
            let third = try await Self.page(app, "?page=3")
            let last = try await Self.page(app, "?page=1000")

            #expect(first.results.count == 20 && first.hasMore)
            #expect(first.results.first?.decisionNumber == "豫郑确字〔2026〕第21号")
            #expect(first.results.last?.decisionNumber == "豫郑确字〔2026〕第2号")
            #expect(second.results.map(\.decisionNumber) == ["豫郑确字〔2026〕第1号"] && !second.hasMore)
            #expect(third.results.isEmpty && !third.hasMore)
            #expect(last.results.isEmpty)
            #expect(first.results.first?.decidedOn == "2026-11-20")
            for bad in ["0", "-1", "1001", "abc", "2.5"] {
                let api = try await app.json(.get, "/api/v1/publicity?page=\(bad)")
                #expect(api.status == .unprocessableContent, "page=\(bad)")
                #expect(try api.problem().code == "publicity.page")
                #expect(try await app.page("/publicity?page=\(bad)").status == .unprocessableContent)
            }
            // the page links to the next page, and the second back to the first
            #expect(try await app.page("/publicity").text.contains(#"href="/publicity?page=2""#))
            #expect(try await app.page("/publicity?page=2").text.contains(#"href="/publicity" rel="prev""#))
        }
    }
}
