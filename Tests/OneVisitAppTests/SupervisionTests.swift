import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// The supervisor's indicators (R11.3.4, R11.3.5, R10.3 b) counted from real cases.
@Suite("Supervision")
struct SupervisionTests {
    /// 建筑工程施工许可 in Zhengzhou (lead 住房和城乡建设局, 自然资源 in parallel): three applications,
    /// one decided on the day, one left to run over its limit, one never accepted.
    @Test func indicators_countDecidedOnTimeOverdueAndDrillDown() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00221000")
            let (_, files) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token("13800000001")
            let clerk = try await app.token("clerk.zz")
            var ids: [UUID] = []
            var numbers: [String] = []
            for _ in 0..<3 {
                let c = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: files))
                ids.append(c.summary.id)
                numbers.append(c.summary.number)
            }
            for id in ids.prefix(2) { #expect(try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(id)/accept").status == .ok) }
            // case 0: both reviews and the decision the same day
            let reviewers = ["住房和城乡建设局": try await app.token("reviewer.zz.zj"), "自然资源和规划局": try await app.token("reviewer.zz.zr")]
            let accepted = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(ids[0])", token: clerk))
            for task in accepted.tasks {
                let token = try #require(reviewers.first { task.departmentName.hasSuffix($0.key) }?.value)
                #expect(try await CaseFlowTests.step(app, token, "/api/v1/cases/\(ids[0])/tasks/\(task.id)/complete", #"{"approve":true}"#).status == .ok)
            }
            let head = try await app.token("head.zz.zj")
            let decided = try await CaseFlowTests.step(app, head, "/api/v1/cases/\(ids[0])/decide", #"{"decision":"approve"}"#)
            #expect(decided.status == .ok, "\(decided.text)")
            // the stored last day equals the clock's deadline
            let running = try #require(try await app.caseRow(ids[1]))
            let calendar = try await app.services.workCalendar()
            #expect(running.dueOn == app.services.cases.clock(for: running)?.deadline(calendar: calendar))
            #expect(running.dueOn != nil)

            // a recorded breach (R11.3.5) on case 2 counts for its department
            let violation = ViolationRow(id: UUID(), caseID: ids[2], kind: "secondNotice", reason: "测试", actor: "staff:supervisor.ha", at: app.clock.now)
            try await app.services.persistence.transaction { tx in try await violation.insert(on: tx.sql) }

            // 40 days later case 1 is past its limit
            app.clock.advance(by: 40 * 86400)
            let supervisor = try await app.token("supervisor.ha")
            let response = try await app.json(.get, "/api/v1/supervision/kpis?from=2026-11-01", token: supervisor)
            #expect(response.status == .ok, "\(response.text)")
            let report = try JSONDecoder().decode(SupervisionService.Report.self, from: Data(buffer: response.body))
            let construction = try #require(report.departments.first { $0.departmentName == "郑州市住房和城乡建设局" })
            #expect(construction.figures == Indicators(received: 3, accepted: 2, acceptedOnTheSpot: 2, decided: 1, decidedOnTime: 1, decidedOnline: 1, open: 2, overdue: 1, violations: 1,
                                                               acceptedConcentrated: 2))  // both applied online (R11.3.4 a)
            #expect(report.total.received == 3)
            #expect(report.departments.first?.departmentName == "郑州市住房和城乡建设局")  // the overdue department first
            let departments = try await DepartmentModel.query(on: app.db).count()
            #expect(departments > 20 && report.departments.count == departments)  // every department of the province, also those without cases

            // a period before the applications counts nothing; Kaifeng sees none of Zhengzhou's
            let empty = try JSONDecoder().decode(SupervisionService.Report.self, from: Data(buffer: try await app.json(.get, "/api/v1/supervision/kpis?from=2026-01-01&to=2026-10-31", token: supervisor).body))
            #expect(empty.total == Indicators())
            let kaifeng = try JSONDecoder().decode(SupervisionService.Report.self, from: Data(buffer: try await app.json(.get, "/api/v1/supervision/kpis?region=410200&from=2026-11-01", token: supervisor).body))
            #expect(kaifeng.total.received == 0 && kaifeng.departments.allSatisfy { $0.regionCode.hasPrefix("4102") })

            // drill-down: the overdue list holds case 1 only, with the applicant masked
            let cookie = try #require(app.sessionCookie(from: try await app.form("/login", ["username": "supervisor.ha", "password": DemoSeed.password])))
            let overdue = try await app.page("/supervision/departments/\(construction.departmentID)?filter=overdue&from=2026-11-01", cookie: cookie)
            #expect(overdue.status == .ok)
            #expect(overdue.text.contains(numbers[1]) && !overdue.text.contains(numbers[0]) && !overdue.text.contains(numbers[2]))
            #expect(!overdue.text.contains("张三") && !overdue.text.contains("410102199001011234"))
            let decidedList = try await app.page("/supervision/departments/\(construction.departmentID)?filter=decided&from=2026-11-01", cookie: cookie)
            #expect(decidedList.text.contains(numbers[0]) && !decidedList.text.contains(numbers[1]))
            let page = try await app.page("/supervision?from=2026-11-01", cookie: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("郑州市住房和城乡建设局") && page.text.contains("100.0%"))

            // CSV for a spreadsheet: BOM, header, one line per department and the total
            let csv = try await app.page("/supervision.csv?from=2026-11-01", cookie: cookie)
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("\u{FEFF}区划,部门,收件") == true)
            #expect(lines.count == 1 + departments + 1)
            #expect(lines.contains("郑州市,郑州市住房和城乡建设局,3,2,2,100.0%,2,100.0%,1,1,100.0%,1,100.0%,2,1,1"))
        }
    }

    @Test func indicators_refuseOthersAndBadInput() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let supervisor = try await app.token("supervisor.ha")
            let clerk = try await app.token("clerk.zz")
            #expect(try await app.json(.get, "/api/v1/supervision/kpis", token: clerk).status == .forbidden)
            #expect(try await app.json(.get, "/api/v1/supervision/kpis").status == .unauthorized)
            #expect(try await app.json(.get, "/api/v1/supervision/kpis?region=110000", token: supervisor).status == .forbidden)
            let badDate = try await app.json(.get, "/api/v1/supervision/kpis?from=2026-13-01", token: supervisor)
            #expect(badDate.status == .unprocessableContent)
            #expect(try badDate.problem().code == "supervision.bad_date")
            let reversed = try await app.json(.get, "/api/v1/supervision/kpis?from=2026-11-02&to=2026-11-01", token: supervisor)
            #expect(try reversed.problem().code == "supervision.bad_period")
            #expect(try await app.json(.get, "/api/v1/supervision/kpis?region=4101", token: supervisor).status == .unprocessableContent)
        }
    }

    @Test func csvFields_areQuotedAndDefusedForSpreadsheets() {
        #expect(SupervisionRoutes.csvField("郑州市") == "郑州市")
        #expect(SupervisionRoutes.csvField("a,b") == "\"a,b\"")
        #expect(SupervisionRoutes.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SupervisionRoutes.csvField("=HYPERLINK(1)") == "'=HYPERLINK(1)")
    }
}
