import FluentKit
import Foundation
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// R8.5.5 (issue 13 point 2): every refusal and rejection names the exact reconsideration organ
/// from the organisation data and both remedies' last days, counted by hand below from the day
/// the document is served (its date) on the official 2026 calendar. One case for each kind of
/// organ: a county department, a city department, a provincial department, a tax bureau.
@Suite("Rights notices")
struct RightsNoticeTests {
    /// 10:00 in China on the given day.
    static func morning(_ y: Int, _ m: Int, _ d: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar.date(from: DateComponents(year: y, month: m, day: d, hour: 10))!
    }

    /// Submits `code` in `region` as 张三 and refuses it at the window of that region; the 不予受理通知书.
    static func refused(_ app: TestApp, code: String, region: String) async throws -> CaseDocumentContent {
        let implementation = try await CaseFlowTests.implementation(app, code: code, region: region)
        let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
        let response = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: required)
        #expect(response.status == .created || response.status == .ok, "\(response.text.prefix(300))")
        let id = try CaseFlowTests.detail(response).summary.id
        app.clock.advance(by: 60)
        let clerk = Principal(accountID: UUID(), sessionID: UUID(), role: .staff(.windowClerk), displayName: "受理员", loginName: "clerk.test",
                              departmentID: nil, regionCode: region)
        _ = try await app.services.cases.refuse(.init(caseID: id, expectedVersion: nil, actor: clerk, address: "test"), reason: "申请事项不属于本机关职权范围")
        let document = try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "title": "不予受理通知书"]).first)
        return try #require(CaseDocumentContent.decode(document.content))
    }

    @Test func countyDepartment_refusal_namesTheCountyGovernment() async throws {
        try await TestApp.run(seed: .full, start: Self.morning(2026, 3, 6)) { app in
            // act: 中牟县市场监督管理局 refuses a 食品经营许可 on Fri 6 Mar 2026
            let notice = try await Self.refused(app, code: "XK00123001", region: "410122")
            // check: Mar 7–31 are days 1–25, Apr 26–55, May 1–5 56–60; Tue 5 May is 劳动节 (1–5 May off) → Wed 6 May.
            // Six months: Sun 6 Sep 2026 → Mon 7 Sep.
            #expect(notice.issuer == "中牟县市场监督管理局")
            let rights = notice.paragraphs.joined()
            #expect(rights.contains("自收到本通知之日起六十日内（本通知于2026年3月6日送达的，至2026年5月6日止）向中牟县人民政府申请行政复议；"))
            #expect(rights.contains("六个月内（至2026年9月7日止）直接向有管辖权的人民法院提起行政诉讼"))
            #expect(!rights.contains("郑州市"))
        }
    }

    @Test func provincialDepartment_refusal_namesTheProvincialGovernment_andTheRealName() async throws {
        try await TestApp.run(seed: .full, start: Self.morning(2026, 3, 31)) { app in
            // act: 河南省人力资源和社会保障厅 refuses a 社会保险登记 on Tue 31 Mar 2026
            let notice = try await Self.refused(app, code: "QR00511001", region: "410000")
            // check: Apr 1–30 are days 1–30, May 1–30 days 31–60; Sat 30 May → Mon 1 Jun.
            // Six months: 31 Mar → 30 Sep 2026 (September has no 31st), a Wednesday.
            #expect(notice.issuer == "河南省人力资源和社会保障厅")
            let rights = notice.paragraphs.joined()
            #expect(rights.contains("（本通知于2026年3月31日送达的，至2026年6月1日止）向河南省人民政府申请行政复议；"))
            #expect(rights.contains("六个月内（至2026年9月30日止）"))
            #expect(!rights.contains("人力资源和社会保障局"))
        }
    }

    @Test func taxBureau_refusal_goesOneLevelUp() async throws {
        try await TestApp.run(seed: .full, start: Self.morning(2026, 4, 1)) { app in
            // act: 国家税务总局中牟县税务局 refuses a 发票领用 on Wed 1 Apr 2026
            let notice = try await Self.refused(app, code: "QT00911001", region: "410122")
            // check: Apr 2–30 are days 1–29, May 1–31 days 30–60; Sun 31 May → Mon 1 Jun.
            // Six months: Thu 1 Oct 2026 is 国庆节 (1–7 Oct off) → Thu 8 Oct.
            #expect(notice.issuer == "国家税务总局中牟县税务局")
            let rights = notice.paragraphs.joined()
            #expect(rights.contains("（本通知于2026年4月1日送达的，至2026年6月1日止）向国家税务总局郑州市税务局申请行政复议；"))
            #expect(rights.contains("六个月内（至2026年10月8日止）"))
            #expect(!rights.contains("人民政府"))
        }
    }

    @Test func cityDepartment_rejectionOfAConfirmation_namesTheCityGovernment() async throws {
        try await TestApp.run(seed: .full, start: Self.morning(2026, 2, 5)) { app in
            // setup: 不动产登记 (行政确认) in Zhengzhou, accepted and reviewed on Thu 5 Feb 2026
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let submitted = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: required)
            let id = try CaseFlowTests.detail(submitted).summary.id
            var c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept"))
            for task in c.tasks {
                let reviewer = try await app.token(task.departmentName.contains("税务") ? "reviewer.zz.sw" : "reviewer.zz.zr")
                _ = try await CaseFlowTests.step(app, reviewer, "/api/v1/cases/\(id)/tasks/\(task.id)/complete", #"{"approve":false,"note":"申请材料与实际情况不符"}"#)
            }
            // act
            let decided = try await CaseFlowTests.step(app, try await app.token("head.zz.zr"), "/api/v1/cases/\(id)/decide",
                                                       #"{"decision":"reject","reason":"申请登记的不动产权属存在争议"}"#)
            #expect(decided.status == .ok, "\(decided.text.prefix(300))")
            c = try CaseFlowTests.detail(decided)
            #expect(c.summary.state == "rejected")
            // check: a 行政确认 is declined by a 不予确认决定书, not a 不予许可决定书
            #expect(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "title": "不予许可决定书"]).isEmpty)
            let document = try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "title": "不予确认决定书"]).first)
            let decision = try #require(CaseDocumentContent.decode(document.content))
            #expect(decision.issuer == "郑州市自然资源和规划局")
            #expect(decision.itemsTitle == "不予确认的理由")
            // Feb 6–28 are days 1–23, Mar 1–31 days 24–54, Apr 1–6 days 55–60; Mon 6 Apr is 清明节 (4–6 Apr off) → Tue 7 Apr.
            // Six months: Wed 5 Aug 2026.
            let rights = decision.paragraphs.joined()
            #expect(rights.contains("自收到本决定之日起六十日内（本决定于2026年2月5日送达的，至2026年4月7日止）向郑州市人民政府申请行政复议；"))
            #expect(rights.contains("也可以自收到本决定之日起六个月内（至2026年8月5日止）直接向有管辖权的人民法院提起行政诉讼。"))
            #expect(!rights.contains("河南省"))
        }
    }

    @Test func seed_namesEveryDutyInEveryRegion_andEveryTaxBureauHasItsHigherBureau() {
        for region in DemoSeed.regions {
            for (short, _) in DemoSeed.departments {
                let organ = DemoSeed.organs[region.code]?[short]
                #expect(organ != nil, "\(region.name) \(short)")
                #expect(organ?.kind.goesToHigherDepartment != true || organ?.higher?.isEmpty == false, "\(region.name) \(short)")
            }
        }
        #expect(DemoSeed.organs["410000"]?["自然资源和规划局"]?.name == "河南省自然资源厅")
        #expect(DemoSeed.organs["410221"]?["税务局"]?.higher == "国家税务总局开封市税务局")
    }
}

/// AddOrganKinds on a database seeded before it: names, kinds and governments filled from the rows there.
@Suite("Organ kinds migration")
struct AddOrganKindsTests {
    @Test func existingRows_takeTheirRealNameKindAndHigherDepartment() async throws {
        try await TestApp.run(seed: .none) { app in
            // setup: rows as the old seed wrote them (composed names, no kind, no government)
            let sql = app.db.sql
            for (code, name, parent) in [("410000", "河南省", nil), ("410100", "郑州市", "410000"), ("410122", "中牟县", "410100")] as [(String, String, String?)] {
                try await sql.insert(into: "regions").columns("code", "name", "level", "parent_code", "government_name")
                    .values(SQLBind(code), SQLBind(name), SQLBind(RegionCode(code)!.level.rawValue), SQLBind(parent), SQLBind("")).run()
            }
            let old: [(String, String)] = [("410000", "河南省自然资源和规划局"), ("410122", "国家税务总局中牟县税务局"), ("410000", "国家税务总局河南省税务局"),
                                           ("410100", "郑州海关"), ("410100", "郑州市城市管理局")]
            for (region, name) in old {
                try await sql.insert(into: "departments").columns("id", "region_code", "name", "field")
                    .values(SQLBind(UUID()), SQLBind(region), SQLBind(name), SQLBind("演示")).run()
            }
            // act
            try await AddOrganKinds.fill(on: sql)
            // check
            let regions = Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: app.db).all().map { ($0.id!, $0.governmentName) })
            #expect(regions == ["410000": "河南省人民政府", "410100": "郑州市人民政府", "410122": "中牟县人民政府"])
            let departments = try await DepartmentModel.query(on: app.db).all()
            func row(_ name: String) -> DepartmentModel? { departments.first { $0.name == name } }
            #expect(row("河南省自然资源和规划局") == nil)
            #expect(row("河南省自然资源厅").map { [$0.shortName, $0.kind] } == ["自然资源和规划局", "ordinary"])
            #expect(row("国家税务总局中牟县税务局").map { [$0.shortName, $0.kind, $0.higherDepartment] } == ["税务局", "tax", "国家税务总局郑州市税务局"])
            #expect(row("国家税务总局河南省税务局")?.higherDepartment == "国家税务总局")
            #expect(row("郑州海关").map { [$0.kind, $0.higherDepartment] } == ["vertical", nil])
            #expect(row("郑州市城市管理局").map { [$0.shortName, $0.kind, $0.higherDepartment] } == ["城市管理局", "ordinary", nil])
        }
    }

    @Test func organisationPage_showsTheKindAndTheReconsiderationOrgan() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let page = try await app.client.execute(uri: SitePath.Organisation.overview.link, method: .get,
                                                    headers: [.authorization: "Bearer \(try await app.token("clerk.zz"))"])
            #expect(page.text.contains("<td>中牟县</td><td>国家税务总局中牟县税务局</td><td>税务</td><td>税务机关</td><td>国家税务总局郑州市税务局</td>"))
            #expect(page.text.contains("<td>河南省</td><td>河南省自然资源厅</td><td>自然资源</td><td>地方人民政府工作部门</td><td>河南省人民政府</td>"))
        }
    }
}
