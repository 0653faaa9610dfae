import Foundation
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// Issue 13 points 3 and 6 (R6.6): due dates counted on a year without an imported notice are
/// provisional on the page and the API, and move — with an event each — when the notice comes.
/// Expected dates are counted by hand in the comments, not with the code under test.
@Suite("Provisional calendar")
struct ProvisionalCalendarTests {
    /// Monday 2026-12-28, 10:00 in Beijing.
    static let monday = Date(timeIntervalSince1970: 1_798_423_200)

    /// A 2027 notice made up for the test: 元旦 1-1 … 1-4 (Monday 1-4 more than the law's day),
    /// 春节 2-5 … 2-12, and Saturday 1-30 a working day.
    static let notice2027 = YearSchedule(
        year: 2027,
        holidays: ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
                   "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"],
        workdays: ["2027-01-30"], source: "国办发明电〔2026〕测试号")

    @Test func acceptedBeforeTheNotice_isProvisional_thenTheImportMovesBothDates() async throws {
        try await TestApp.run(seed: .full, start: Self.monday) { app in
            // setup: 不动产首次登记 in Zhengzhou (promised 5, legal 30 working days), complete, accepted on Monday 2026-12-28
            let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token(CaseFixtures.applicant)
            let submitted = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required, mode: "pickup"))
            let id = submitted.summary.id
            // the window's five working days (行政许可法第三十二条): Dec 29, 30, 31; 1-1 元旦; Mon 1-4, Tue 1-5
            #expect(submitted.nextStep.contains("2027年1月5日（暂定）前告知是否受理"), "\(submitted.nextStep)")
            let accepted = try await CaseFlowTests.step(app, try await app.token(CaseFixtures.clerk), "/api/v1/cases/\(id)/accept")
            #expect(accepted.status == .ok, "\(accepted.text)")
            app.clock.advance(by: 60)

            // check: promised — Dec 29, 30, 31 (3); 1-1 元旦 by law; Mon 1-4 (4), Tue 1-5 (5).
            // legal — Dec 29–31 (3), Jan 4–8 (8), 11–15 (13), 18–22 (18), 25–29 (23), Feb 1–4 (27); 除夕 2-5,
            // 初一–初三 2-6…2-8, make-up days 2-9, 2-10 (初一, 初二 on the weekend); Thu 2-11 (28), Fri 2-12 (29), Mon 2-15 (30).
            var c = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.summary.clock.dueDate == "2027-01-05")
            #expect(c.summary.clock.calendarStatus == "provisional")
            #expect(c.summary.clock.deadlineText == "2027年1月5日（暂定）")
            #expect(c.promisedDue?.date == "2027-01-05" && c.promisedDue?.calendarStatus == "provisional" && c.promisedDue?.limit == 5)
            #expect(c.legalDue?.date == "2027-02-15" && c.legalDue?.calendarStatus == "provisional" && c.legalDue?.limit == 30)
            #expect(try await app.caseRow(id)?.dueOn == CalendarDate(iso8601: "2027-01-05"))
            let version = c.summary.version
            let page = try await app.page("/cases/\(id)", cookie: try await WebSecurityTests.signIn(app, CaseFixtures.applicant))
            #expect(page.text.contains("承诺办结日（承诺时限 5 个工作日）：<strong>2027年1月5日</strong> <em class=\"tag\" data-calendar-status=\"provisional\">暂定工作日历</em>"))
            #expect(page.text.contains("法定办结日（法定时限 30 个工作日）：<strong>2027年2月15日</strong>"))
            #expect(page.text.contains("按暂定工作日历计算，国务院公布当年节假日安排后可能调整"))

            // act: the State Council's 2027 notice is imported
            let result = try await app.services.importCalendar([Self.notice2027])

            // check: promised — Dec 29–31 (3); 1-1 … 1-4 off; Tue 1-5 (4), Wed 1-6 (5).
            // legal — Dec 29–31 (3), Jan 5–8 (7), 11–15 (12), 18–22 (17), 25–29 (22), Sat 1-30 worked (23),
            // Feb 1–4 (27); 2-5 … 2-12 off; Mon 2-15 (28), Tue 2-16 (29), Wed 2-17 (30).
            #expect(result == CalendarImportResult(years: [2027], casesRecomputed: 1))
            c = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.summary.clock.dueDate == "2027-01-06")
            #expect(c.summary.clock.calendarStatus == "official")
            #expect(c.summary.clock.deadlineText == "2027年1月6日")
            #expect(c.promisedDue?.date == "2027-01-06" && c.promisedDue?.calendarStatus == "official" && c.promisedDue?.provisional == false)
            #expect(c.legalDue?.date == "2027-02-17" && c.legalDue?.calendarStatus == "official")
            #expect(c.summary.version == version + 1)
            #expect(c.events.contains { $0.title == "国务院公布 2027 年节假日安排，承诺办结日由2027年1月5日调整为2027年1月6日，法定办结日由2027年2月15日调整为2027年2月17日" && $0.note == "国办发明电〔2026〕测试号" })
            #expect(try await app.caseRow(id)?.dueOn == CalendarDate(iso8601: "2027-01-06"))
            #expect(try await KPICounters.verify(on: app.db.sql).differences.isEmpty)

            // a second import of the same notice moves nothing
            #expect(try await app.services.importCalendar([Self.notice2027]).casesRecomputed == 0)
            #expect(try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant)).summary.version == version + 1)
        }
    }

    @Test func caseWithinOfficialYears_isOfficial_andTheImportLeavesItAlone() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: accepted Wednesday 2026-11-18; promised 5: Nov 19, 20, 23, 24, 25.
            let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token(CaseFixtures.applicant)
            let id = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required, mode: "pickup")).summary.id
            #expect(try await CaseFlowTests.step(app, try await app.token(CaseFixtures.clerk), "/api/v1/cases/\(id)/accept").status == .ok)
            var c = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.promisedDue?.date == "2026-11-25" && c.promisedDue?.calendarStatus == "official")
            // legal 30: Nov 19–20 (2), 23–27 (7), Nov 30–Dec 4 (12), 7–11 (17), 14–18 (22), 21–25 (27), 28, 29, 30 (30):
            // in the last week of 2026, which a 2027 notice may still change → provisional.
            #expect(c.legalDue?.date == "2026-12-30" && c.legalDue?.calendarStatus == "provisional")
            let version = c.summary.version

            // act: a notice that changes nothing before 2027-01-01 … 1-4
            #expect(try await app.services.importCalendar([Self.notice2027]).casesRecomputed == 0)

            // check
            c = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.summary.version == version)
            #expect(c.legalDue?.date == "2026-12-30" && c.legalDue?.calendarStatus == "official")
        }
    }

    @Test func recount_fixesADueDateStoredByTheOldWeekdayOnlyRule() async throws {
        try await TestApp.run(seed: .full, start: Self.monday) { app in
            // setup: accepted Monday 2026-12-28, its due_on as the rule before R6.6 stored it:
            // Dec 29, 30, 31, Fri 1-1 (元旦 counted as a working day), Mon 1-4.
            let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
            let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let applicant = try await app.token(CaseFixtures.applicant)
            let id = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required, mode: "pickup")).summary.id
            #expect(try await CaseFlowTests.step(app, try await app.token(CaseFixtures.clerk), "/api/v1/cases/\(id)/accept").status == .ok)
            try await app.db.sql.raw("UPDATE cases SET due_on = '2027-01-04' WHERE id = \(bind: id)").run()
            let version = try #require(try await app.caseRow(id)).version

            // act
            let changed = try await app.services.recomputeDueDates()

            // check: 1-1 is 元旦 → Tue 1-5
            #expect(changed == 1)
            let row = try #require(try await app.caseRow(id))
            #expect(row.dueOn == CalendarDate(iso8601: "2027-01-05") && row.version == version + 1)
            let c = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.events.contains { $0.title == "工作日历调整，承诺办结日由2027年1月4日调整为2027年1月5日" })
            #expect(try await app.services.recomputeDueDates() == 0)
        }
    }
}
