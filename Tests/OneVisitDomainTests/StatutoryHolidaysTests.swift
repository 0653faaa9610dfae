import Testing
@testable import OneVisitDomain

// R6.6 (issue 13 point 3): the provisional calendar of a year without the State Council's notice.
// Every expected date below was worked out by hand (weekdays counted from 1 January, lunar dates
// from the published almanac), never with the code under test.

private func day(_ text: String) -> CalendarDate {
    guard let date = CalendarDate(iso8601: text) else { preconditionFailure("bad test date \(text)") }
    return date
}

private func days(_ texts: [String]) -> Set<CalendarDate> { Set(texts.map(day)) }

@Suite("Statutory holidays (provisional calendar)")
struct StatutoryHolidaysTests {
    @Test(arguments: [(2025, "2025-01-28"), (2026, "2026-02-16"), (2027, "2027-02-05"), (2028, "2028-01-25")])
    func newYearsEve_fromTheChineseCalendar(_ year: Int, _ eve: String) {
        #expect(StatutoryHolidays.lunarDate(year: year, month: 1, day: 1) == day(eve).nextDay)
    }

    @Test func dragonBoatAndMidAutumn_2027() {
        #expect(StatutoryHolidays.lunarDate(year: 2027, month: 5, day: 5) == day("2027-06-09"))
        #expect(StatutoryHolidays.lunarDate(year: 2027, month: 8, day: 15) == day("2027-09-15"))
        #expect(StatutoryHolidays.lunarDate(year: 2028, month: 5, day: 5) == day("2028-05-28"))
        #expect(StatutoryHolidays.lunarDate(year: 2028, month: 8, day: 15) == day("2028-10-03"))
    }

    @Test(arguments: [(2005, "2005-04-05"), (2009, "2009-04-04"), (2024, "2024-04-04"), (2026, "2026-04-05"),
                      (2027, "2027-04-05"), (2028, "2028-04-04"), (2030, "2030-04-05")])
    func qingming_solarTerm(_ year: Int, _ expected: String) {
        #expect(StatutoryHolidays.qingming(year) == day(expected))
    }

    @Test func daysOff2027_handListed() {
        // 元旦 Fri; 春节 除夕 Fri 2-5 … 初三 Mon 2-8 (Sat, Sun made up Tue 2-9, Wed 2-10); 清明 Mon 4-5;
        // 劳动节 Sat 5-1, Sun 5-2 (made up Mon 5-3, Tue 5-4); 端午 Wed 6-9; 中秋 Wed 9-15;
        // 国庆 Fri 10-1 … Sun 10-3 (Sat, Sun made up Mon 10-4, Tue 10-5).
        let expected = days(["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10",
                             "2027-04-05", "2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-06-09", "2027-09-15",
                             "2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05"])
        #expect(StatutoryHolidays.daysOff(in: 2027) == expected)
        #expect(StatutoryHolidays.festivalDays(in: 2027).count == 13)
        #expect(Set(StatutoryHolidays.days(in: 2027).filter(\.makeUp).map(\.date))
                == days(["2027-02-09", "2027-02-10", "2027-05-03", "2027-05-04", "2027-10-04", "2027-10-05"]))
    }

    @Test func daysOff2028_handListed_midAutumnOnNationalDayAddsADay() {
        // 元旦 Sat (made up Mon 1-3); 春节 Tue 1-25 … Fri 1-28; 清明 Tue 4-4; 劳动节 Mon 5-1, Tue 5-2;
        // 端午 Sun 5-28 (made up Mon 5-29); 国庆 Sun 10-1 (made up Wed 10-4) … Tue 10-3, which is also
        // 中秋 (a day more: Thu 10-5).
        let expected = days(["2028-01-01", "2028-01-03", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28", "2028-04-04",
                             "2028-05-01", "2028-05-02", "2028-05-28", "2028-05-29", "2028-10-01", "2028-10-02", "2028-10-03",
                             "2028-10-04", "2028-10-05"])
        #expect(StatutoryHolidays.daysOff(in: 2028) == expected)
        #expect(StatutoryHolidays.festivalDays(in: 2028).count == 13)
    }

    @Test func everyFestivalDay_2020to2026_isAHolidayOfThePublishedNotice() {
        // The published notices (OfficialSchedules) are independent of the lunar and solar-term code.
        let official = WorkCalendar.official
        for year in 2020...2026 {
            for festival in StatutoryHolidays.festivalDays(in: year) {
                #expect(official.holidays.contains(festival.date), "\(year) \(festival.festival.chineseName) \(festival.date)")
            }
        }
    }

    @Test func editions_earlierYears() {
        // 2024 (国务院令第644号): 除夕 2-9 was not a statutory day, 初一 … 初三 2-10 … 2-12 were; 5-2 was not.
        let y2024 = Set(StatutoryHolidays.festivalDays(in: 2024).map(\.date))
        #expect(!y2024.contains(day("2024-02-09")) && y2024.contains(day("2024-02-12")) && !y2024.contains(day("2024-05-02")))
        #expect(StatutoryHolidays.festivalDays(in: 2024).count == 11)
        // 2010 (国务院令第513号): 除夕 2-13 … 初二 2-15.
        let y2010 = Set(StatutoryHolidays.festivalDays(in: 2010).filter { $0.festival == .springFestival }.map(\.date))
        #expect(y2010 == days(["2010-02-13", "2010-02-14", "2010-02-15"]))
    }

    @Test func twentyWorkdaysFrom2026_12_04_isNotNewYearsDay_andIsProvisional() {
        // Fri 2026-12-04: Dec 7–11 (5), 14–18 (10), 21–25 (15), 28–31 (19); 2027-01-01 元旦, 1-2/1-3 weekend; Mon 1-4 (20).
        let calendar = WorkCalendar.official
        let due = calendar.addWorkdays(day("2026-12-04"), 20)
        #expect(due == day("2027-01-04"))
        #expect(calendar.status(from: day("2026-12-04"), through: due) == .provisional)
        #expect(LegalClock(start: day("2026-12-04"), limit: 20).deadline(calendar: calendar) == day("2027-01-04"))
    }

    @Test func wholeProvisionalYears_workingDays() {
        // 2027: 261 Monday–Fridays, 13 of them off → 248. 2028: 260, 13 off → 247.
        let calendar = WorkCalendar.official
        #expect(calendar.workdays(after: day("2026-12-31"), through: day("2027-12-31")) == 248)
        #expect(calendar.workdays(after: day("2027-12-31"), through: day("2028-12-31")) == 247)
    }

    @Test func workdays_inverseOfAddWorkdays_acrossProvisionalYears() {
        let calendar = WorkCalendar.official
        var start = day("2026-11-20")
        while start < day("2028-12-31") {
            for n in [1, 5, 20] {
                #expect(calendar.workdays(after: start, through: calendar.addWorkdays(start, n)) == n)
            }
            start = start.adding(days: 3)
        }
    }

    @Test func importedNotice_replacesTheProvisionalYear() throws {
        // A notice with a swapped Saturday (1-9) and an extra day off (Mon 1-4).
        let notice = try WorkCalendar.fromSchedules([YearSchedule(year: 2027, holidays: ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
                                                                   workdays: ["2027-01-09"], source: "测试")])
        let calendar = WorkCalendar.official.merging(notice)
        #expect(calendar.addWorkdays(day("2026-12-04"), 20) == day("2027-01-05"))
        #expect(calendar.status(from: day("2026-12-04"), through: day("2027-01-05")) == .official)
        #expect(calendar.isWorkday(day("2027-01-09")))
        #expect(calendar.isWorkday(day("2027-02-09")))  // the notice says nothing of 春节: no provisional day survives
    }

    @Test func status_dependsOnEveryYearAndOnNextYearsLastWeek() {
        let calendar = WorkCalendar.official  // 2020–2026
        #expect(calendar.status(from: day("2026-11-18"), through: day("2026-11-25")) == .official)
        #expect(calendar.status(from: day("2026-11-18"), through: day("2026-12-24")) == .official)
        // a 2027 notice may still move 2026-12-25 … 12-31
        #expect(calendar.status(from: day("2026-11-18"), through: day("2026-12-30")) == .provisional)
        #expect(calendar.status(from: day("2019-12-20"), through: day("2020-01-10")) == .provisional)  // 2019 not loaded
        #expect(WorkCalendar.yearsDepended(from: day("2025-12-31"), through: day("2027-01-04")) == 2025...2027)
    }

    @Test func promiseOnASlip_provisionalDate_saysItMayMove() {
        #expect(CaseNotices.promise(immediate: false, limit: 5, due: day("2027-01-05"), calendar: .provisional)
                == "2027年1月5日前（5 个工作日）（按暂定工作日历计算，国务院公布当年节假日安排后可能调整）")
        #expect(CaseNotices.promise(immediate: false, limit: 5, due: day("2026-11-25")) == "2026年11月25日前（5 个工作日）")
        let header = CaseDocumentHeader(itemName: "事项", caseNumber: "N", applicantName: "张三", issuer: "某局", dateText: "2026年12月28日")
        let receipt = CaseNotices.receipt(header, receivedAtText: "", promise: "", materials: [], lastNoticeDay: day("2027-01-05"), lastNoticeCalendar: .provisional)
        #expect(receipt.paragraphs[0].contains("2027年1月5日（按暂定工作日历计算，国务院公布当年节假日安排后可能调整） 前审核材料"))
        let slip = CaseNotices.acceptance(header, acceptanceNumber: "S", phone: "", promise: "", intermediaries: [], specialProcedures: [],
                                          tolerance: .init(deadline: day("2027-01-05"), missing: ["授权委托书"], calendar: .provisional), deemed: false)
        #expect(slip.paragraphs.contains { $0.hasPrefix("请于 2027年1月5日（按暂定工作日历计算，国务院公布当年节假日安排后可能调整） 前补交") })
    }

    @Test func dueDateRevision_namesOnlyTheDatesThatMoved() throws {
        let notice = try WorkCalendar.fromSchedules([YearSchedule(year: 2027, holidays: ["2027-01-01", "2027-01-04"], workdays: [], source: "测试")])
        let after = WorkCalendar.official.merging(notice)
        // accepted Fri 2026-12-04: promised 5 → Dec 11 either way; legal 20 → Mon 1-4 provisional, Tue 1-5 with 1-4 off.
        let start = day("2026-12-04")
        let revision = try #require(DueDateRevision.revise(promised: LegalClock(start: start, limit: 5), legal: LegalClock(start: start, limit: 20),
                                                           storedPromised: day("2026-12-11"), before: .official, after: after))
        #expect(revision.promised == nil)
        #expect(revision.legal == .init(before: day("2027-01-04"), after: day("2027-01-05")))
        #expect(revision.eventTitle(years: [2027]) == "国务院公布 2027 年节假日安排，法定办结日由2027年1月4日调整为2027年1月5日")
        #expect(DueDateRevision.revise(promised: LegalClock(start: start, limit: 5), legal: LegalClock(start: start, limit: 5),
                                       storedPromised: day("2026-12-11"), before: .official, after: after) == nil)
    }
}
