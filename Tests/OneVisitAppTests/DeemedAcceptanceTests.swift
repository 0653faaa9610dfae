import FluentKit
import Foundation
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// 行政许可法第三十二条第一款第（四）项 (issue 13, point 5): an application with materials missing
/// and no notice within five working days counts as accepted from receipt — main materials
/// missing included. `dueScanPlan` is what `onevisit jobs --as-of … --dry-run` prints.
@Suite("Deemed acceptance")
struct DeemedAcceptanceTests {
    /// Wed 2026-09-30, 09:00 in China, the eve of 国庆节.
    static let received = Date(timeIntervalSince1970: 1_790_730_000)
    static func day(_ month: Int, _ day: Int) -> CalendarDate { CalendarDate(year: 2026, month: month, day: day)! }

    /// A 食品经营许可 (XK00123001) application with only the 申请书: the primary 设备设施… file and the
    /// secondary 规章制度目录 are missing.
    static func submitIncomplete(_ app: TestApp) async throws -> CaseDetail {
        let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
        let response = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: [0], mode: "pickup")
        #expect(response.status == .created, "\(response.text)")
        return try CaseFlowTests.detail(response)
    }

    @Test func mainMaterialMissing_noNotice_dryRunListsItTheDayAfterTheFifthWorkingDay_thenTheRealRunAcceptsFromReceipt() async throws {
        try await TestApp.run(seed: .full, start: Self.received) { app in
            // setup
            let submitted = try await Self.submitIncomplete(app)
            let id = submitted.summary.id
            #expect(submitted.materials.filter(\.missing).count == 2)
            let before = try #require(try await app.caseRow(id))
            let eventsBefore = try await app.count(CaseEventRow.self, where: ["case_id": id])
            let auditBefore = try await app.count(AuditRecordRow.self)

            // act: the dry run. Working days after Wed 09-30 (国庆 10-01…10-07 off; Sat 10-10 worked):
            // Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12, Tue 10-13 — the fifth is Tue 10-13.
            let onFifthDay = try await app.services.cases.dueScanPlan(asOf: Self.day(10, 13))
            let dayAfter = try await app.services.cases.dueScanPlan(asOf: Self.day(10, 14))

            // check: nothing on the fifth working day, the case the day after
            #expect(onFifthDay.deemedAcceptance.isEmpty)
            #expect(dayAfter.asOf == Self.day(10, 14))
            #expect(dayAfter.deemedAcceptance.count == 1)
            let planned = try #require(dayAfter.deemedAcceptance.first)
            #expect(planned.caseID == id)
            #expect(planned.caseNumber == submitted.summary.number)
            #expect(planned.region == "410100")
            #expect(planned.clockStart == Self.day(9, 30))
            #expect(planned.lastNoticeDay == Self.day(10, 13))
            #expect(planned.materialsToSupply == ["与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
                                                  "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录"])
            #expect(planned.what.contains("主要材料 1 项"))
            #expect(planned.why.contains("2026-10-13"))
            #expect(dayAfter.toleranceDeadlines.isEmpty)
            // as the command prints it: one object, the date, each scan's cases with number, region, what and why
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try dayAfter.jsonText().utf8)) as? [String: Any])
            #expect(json["asOf"] as? String == "2026-10-14")
            let listed = try #require((json["deemedAcceptance"] as? [[String: Any]])?.first)
            #expect(listed["caseNumber"] as? String == submitted.summary.number)
            #expect(listed["region"] as? String == "410100")
            #expect((listed["what"] as? String)?.hasPrefix("依法视为受理") == true)
            #expect(listed["why"] as? String != nil)
            #expect((json["toleranceDeadlines"] as? [Any])?.isEmpty == true)

            // check: the dry run changed nothing
            let unchanged = try #require(try await app.caseRow(id))
            #expect(unchanged.state == .received)
            #expect(unchanged.version == before.version)
            #expect(unchanged.clockStart == nil)
            #expect(try await app.count(CaseEventRow.self, where: ["case_id": id]) == eventsBefore)
            #expect(try await app.count(AuditRecordRow.self) == auditBefore)

            // act: the real run on Wed 10-14
            app.clock.advance(by: 14 * 86400)
            let report = try await app.services.cases.runDueScans(address: "test")

            // check: accepted from receipt, the missing materials to be supplied
            #expect(report.refused.map(\.code) == [])
            #expect(report.applied.map(\.caseID) == [id])
            let accepted = try #require(try await app.caseRow(id))
            #expect(accepted.state == .underReview)
            #expect(accepted.clockStart == Self.day(9, 30))
            #expect(accepted.version == before.version + 1)
            // promised 5 working days from 09-30: 10-08, 10-09, 10-10, 10-12, 10-13 (already passed: the organ's delay)
            #expect(accepted.dueOn == Self.day(10, 13))
            // five working days from 10-14 to supply: 10-15, 10-16, 10-19, 10-20, 10-21
            #expect(accepted.toleranceDeadline == Self.day(10, 21))
            let materials = try await app.rows(CaseMaterialRow.self, where: ["case_id": id])
            #expect(materials.filter { $0.status == .missing }.map(\.position).sorted() == [2, 3])
            // the slip says why it is accepted and what is still to come — never that the materials are complete
            let slip = try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id]).first { $0.kind == .acceptanceSlip })
            #expect(slip.content.contains("第三十二条第一款第（四）项"))
            #expect(!slip.content.contains("材料齐全"))
            #expect(slip.content.contains("与食品经营相适应的主要设备设施、经营布局、操作流程等文件"))
            let events = try await app.rows(CaseEventRow.self, where: ["case_id": id])
            #expect(events.contains { $0.title == "逾期未告知，依法视为受理" })
            let audit = try await app.rows(AuditRecordRow.self, where: ["object_id": submitted.summary.number])
            #expect(audit.contains { $0.action == "case.deemed_accept" && $0.address == "test" })
            // nothing left for the scan
            #expect(try await app.services.cases.dueScanPlan(asOf: Self.day(10, 14)).deemedAcceptance.isEmpty)
        }
    }

    @Test func aCaseNotifiedInTime_isLeftToTheWindow() async throws {
        try await TestApp.run(seed: .full, start: Self.received) { app in
            // setup: the clerk gives the one-time notice on the day of receipt
            let submitted = try await Self.submitIncomplete(app)
            let items = submitted.materials.filter(\.missing).map { #"{"material":"\#($0.name)","instruction":"请补交"}"# }.joined(separator: ",")
            let notice = try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(submitted.summary.id)/notice", #"{"items":[\#(items)]}"#)
            #expect(notice.status == .ok, "\(notice.text)")
            // check: long after the fifth working day, nothing is deemed
            #expect(try await app.services.cases.dueScanPlan(asOf: Self.day(11, 30)).deemedAcceptance.isEmpty)
        }
    }

    @Test func theDryRun_listsAPassedToleranceDeadline_onlyFromTheDayAfter() async throws {
        try await TestApp.run(seed: .full, start: Self.received) { app in
            // setup: complete but for the secondary 规章制度目录, accepted with tolerance, 2 working days to supply
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let response = try await CaseFlowTests.submit(app, token: try await app.token("13800000001"), implementation: implementation, files: [0, 2], mode: "pickup")
            let id = try CaseFlowTests.detail(response).summary.id
            let accepted = try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept", #"{"tolerance":true,"toleranceDays":2}"#)
            #expect(accepted.status == .ok, "\(accepted.text)")
            // deadline: 2 working days after Wed 09-30 → Thu 10-08, Fri 10-09
            #expect(try await app.caseRow(id)?.toleranceDeadline == Self.day(10, 9))
            let before = try #require(try await app.caseRow(id))
            // check
            #expect(try await app.services.cases.dueScanPlan(asOf: Self.day(10, 9)).toleranceDeadlines.isEmpty)
            let planned = try #require(try await app.services.cases.dueScanPlan(asOf: Self.day(10, 10)).toleranceDeadlines.first)
            #expect(planned.caseID == id)
            #expect(planned.suspendFrom == Self.day(10, 10))
            // the dry run changed nothing
            let after = try #require(try await app.caseRow(id))
            #expect(after.version == before.version)
            #expect(after.suspensions == before.suspensions)
        }
    }
}
