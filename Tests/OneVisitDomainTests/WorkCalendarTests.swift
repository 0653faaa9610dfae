import Foundation
import Testing
@testable import OneVisitDomain

// Expected dates and counts below were worked out by hand against the published notices and
// cross-checked with an independent Python script (datetime-based), not with this implementation.

/// `"yyyy-MM-dd"` → `CalendarDate`, trapping on a typo in the test itself.
private func day(_ text: String) -> CalendarDate {
    guard let date = CalendarDate(iso8601: text) else { preconditionFailure("bad test date \(text)") }
    return date
}

private let official = WorkCalendar.official

// MARK: - CalendarDate arithmetic

@Suite("CalendarDate arithmetic")
struct CalendarDateArithmeticTests {
    @Test(arguments: [
        ("1970-01-01", CalendarDate.Weekday.thursday),
        ("0001-01-01", .monday),
        ("2000-02-29", .tuesday),
        ("2024-02-09", .friday),
        ("2024-02-18", .sunday),
        ("2026-02-14", .saturday),
        ("9999-12-31", .friday),
    ])
    func weekday_knownDates(_ text: String, _ expected: CalendarDate.Weekday) {
        #expect(day(text).weekday == expected)
    }

    @Test func dayOrdinal_epochAndRoundTrip() {
        #expect(day("1970-01-01").dayOrdinal == 0)
        #expect(day("1969-12-31").dayOrdinal == -1)
        #expect(day("2000-03-01").dayOrdinal - day("2000-02-28").dayOrdinal == 2)  // 2000 is leap
        #expect(day("1900-03-01").dayOrdinal - day("1900-02-28").dayOrdinal == 1)  // 1900 is not
        for ordinal in stride(from: -719_162, through: 2_932_896, by: 997) {
            #expect(CalendarDate(dayOrdinal: ordinal)?.dayOrdinal == ordinal)
        }
        #expect(CalendarDate(dayOrdinal: -719_162) == CalendarDate(year: 1, month: 1, day: 1))
        #expect(CalendarDate(dayOrdinal: -719_163) == nil)
        #expect(CalendarDate(dayOrdinal: 2_932_896) == CalendarDate(year: 9999, month: 12, day: 31))
    }

    @Test func adding_crossesMonthAndYearAndLeapDay() {
        #expect(day("2024-02-28").adding(days: 1) == day("2024-02-29"))
        #expect(day("2023-02-28").adding(days: 1) == day("2023-03-01"))
        #expect(day("2023-12-31").nextDay == day("2024-01-01"))
        #expect(day("2024-01-01").previousDay == day("2023-12-31"))
        #expect(day("2024-01-01").adding(days: 366) == day("2025-01-01"))
        #expect(day("2024-01-01").days(to: day("2025-01-01")) == 366)
    }

    @Test func iso8601_parsesOnlyExactRealDays() {
        #expect(CalendarDate(iso8601: "2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
        for bad in ["2023-02-29", "2024-2-10", "2024/02/10", "20240210", "2024-02-10 ", "２０２４-02-10", "2024-13-01", ""] {
            #expect(CalendarDate(iso8601: bad) == nil, "\(bad)")
        }
        #expect(day("2024-02-10").description == "2024-02-10")
    }
}

// MARK: - Working days

@Suite("WorkCalendar")
struct WorkCalendarTests {
    @Test func isWorkday_holidayOnWeekday_adjustedSaturday_plainWeekend() {
        #expect(!official.isWorkday(day("2024-02-12")))  // Monday in 春节
        #expect(!official.isWorkday(day("2024-10-01")))  // Tuesday, 国庆
        #expect(official.isWorkday(day("2024-10-12")))   // Saturday, 调休上班
        #expect(official.isWorkday(day("2024-02-18")))   // Sunday, 调休上班
        #expect(!official.isWorkday(day("2024-10-19")))  // ordinary Saturday
        #expect(!official.isWorkday(day("2024-10-20")))  // ordinary Sunday
        #expect(official.isWorkday(day("2024-10-21")))   // ordinary Monday
        #expect(!official.isWorkday(day("2024-02-10")))  // Saturday inside 春节 stays off
    }

    @Test func isWorkday_newYearsEve_onlyOffFrom2025() {
        // 2024: 除夕 (Fri 2-9) was a working day; from 2025 除夕 is a statutory holiday.
        #expect(official.isWorkday(day("2024-02-09")))
        #expect(!official.isWorkday(day("2025-01-28")))
        #expect(!official.isWorkday(day("2026-02-16")))
        // 2025 added 5-2 to 劳动节 as well; 2020's extension made 1-31 (Fri) and 2-1 (Sat) days off.
        #expect(!official.isWorkday(day("2025-05-02")))
        #expect(!official.isWorkday(day("2020-01-31")))
        #expect(!official.isWorkday(day("2020-02-01")))
        #expect(official.isWorkday(day("2020-02-03")))
    }

    @Test func isWorkday_crossYearNewYearHoliday() {
        // 2022-12-30 Friday works; 2022-12-31 Saturday belongs to the 2023 元旦 holiday; 2023-01-02 Monday off.
        #expect(official.isWorkday(day("2022-12-30")))
        #expect(!official.isWorkday(day("2023-01-02")))
        #expect(official.isWorkday(day("2023-01-03")))
        #expect(official.workdays(after: day("2022-12-30"), through: day("2023-01-03")) == 1)
    }

    @Test func isWorkday_uncoveredYear_fallsBackToStatutoryHolidays() {
        // R6.6 (issue 13): a year without a notice keeps its statutory days off, no longer Monday–Friday only.
        #expect(!official.covers(day("2027-01-01")))
        #expect(official.covers(day("2026-10-01")))
        #expect(!official.isWorkday(day("2027-01-01")))  // Friday, 元旦; no 2027 notice loaded
        #expect(!official.isWorkday(day("2027-01-02")))  // Saturday
        #expect(official.isWorkday(day("2027-01-04")))   // Monday
        #expect(!WorkCalendar().isWorkday(day("2024-10-01")))  // 国庆 by the 2013 edition
        #expect(WorkCalendar().isWorkday(day("2024-10-04")))   // the notice's extra days are not guessed
    }

    @Test func addWorkdays_acrossSpringFestival2024() {
        let thursday = day("2024-02-08")
        #expect(official.addWorkdays(thursday, 0) == thursday)
        #expect(official.addWorkdays(thursday, 1) == day("2024-02-09"))  // 除夕 worked in 2024
        #expect(official.addWorkdays(thursday, 2) == day("2024-02-18"))  // adjusted Sunday
        #expect(official.addWorkdays(thursday, 3) == day("2024-02-19"))
        #expect(official.addWorkdays(day("2024-02-09"), 1) == day("2024-02-18"))
    }

    @Test func addWorkdays_acrossSpringFestival2026() {
        let thursday = day("2026-02-12")
        #expect(official.addWorkdays(thursday, 1) == day("2026-02-13"))
        #expect(official.addWorkdays(thursday, 2) == day("2026-02-14"))  // adjusted Saturday
        #expect(official.addWorkdays(thursday, 3) == day("2026-02-24"))  // after 2-15…2-23
    }

    @Test func addWorkdays_startDayIsNeverCounted() {
        // Starting on a holiday or a working day alike: the first counted day is the next working day.
        #expect(official.addWorkdays(day("2024-10-03"), 1) == day("2024-10-08"))
        #expect(official.addWorkdays(day("2024-10-08"), 1) == day("2024-10-09"))
        #expect(official.addWorkdays(day("2024-10-11"), 1) == day("2024-10-12"))
        #expect(official.addWorkdays(day("2024-10-14"), -1) == day("2024-10-12"))
        #expect(official.addWorkdays(day("2024-10-08"), -1) == day("2024-09-30"))
    }

    @Test(arguments: [
        ("2024-09-20", "2024-10-23"),
        ("2025-09-25", "2025-10-29"),
        ("2023-09-27", "2023-10-31"),
    ])
    func addWorkdays_twentyAcrossNationalDay(_ start: String, _ expected: String) {
        #expect(official.addWorkdays(day(start), 20) == day(expected))
    }

    @Test func workdays_afterThrough() {
        #expect(official.workdays(after: day("2024-09-20"), through: day("2024-10-31")) == 26)
        #expect(official.workdays(after: day("2024-02-08"), through: day("2024-02-19")) == 3)
        #expect(official.workdays(after: day("2024-10-01"), through: day("2024-10-07")) == 0)
        #expect(official.workdays(after: day("2024-10-07"), through: day("2024-10-07")) == 0)
        #expect(official.workdays(after: day("2024-10-31"), through: day("2024-09-20")) == 0)
        #expect(official.workdays(after: day("2024-10-11"), through: day("2024-10-12")) == 1)
        #expect(official.workdays(after: day("2019-12-31"), through: day("2026-12-31")) == 1744)
    }

    @Test func workdays_inverseOfAddWorkdays() {
        var start = day("2019-12-20")
        while start < day("2027-01-10") {
            for n in [1, 5, 20] {
                #expect(official.workdays(after: start, through: official.addWorkdays(start, n)) == n)
            }
            start = start.adding(days: 3)
        }
    }

    @Test(arguments: [(2024, 251), (2025, 248)])
    func workdays_wholeYear_matchesPublishedTotals(_ year: Int, _ expected: Int) {
        let lastOfPreviousYear = CalendarDate(year: year - 1, month: 12, day: 31)!
        let lastOfYear = CalendarDate(year: year, month: 12, day: 31)!
        #expect(official.workdays(after: lastOfPreviousYear, through: lastOfYear) == expected)
    }

    @Test func merging_replacesOnlyTheOtherYears() throws {
        let custom = try WorkCalendar.fromSchedules([
            YearSchedule(year: 2024, holidays: ["2024-03-01"], workdays: ["2024-03-02"], source: "测试"),
        ])
        let merged = official.merging(custom)
        #expect(merged.years == official.years)
        #expect(merged.isWorkday(day("2024-02-12")))    // official 2024 holiday dropped
        #expect(!merged.isWorkday(day("2024-03-01")))
        #expect(merged.isWorkday(day("2024-03-02")))
        #expect(!merged.isWorkday(day("2024-10-12")))   // official 2024 adjusted Saturday dropped
        #expect(!merged.isWorkday(day("2025-01-28")))   // 2025 untouched
        #expect(!merged.isWorkday(day("2023-10-02")))

        let added = WorkCalendar().merging(official)
        #expect(added == official)
    }
}

// MARK: - Schedule import

@Suite("YearSchedule import")
struct YearScheduleImportTests {
    private func importing(_ holidays: [String], _ workdays: [String] = [], year: Int = 2024) -> CalendarError? {
        do {
            _ = try WorkCalendar.fromSchedules([YearSchedule(year: year, holidays: holidays, workdays: workdays, source: "测试")])
            return nil
        } catch {
            return error
        }
    }

    @Test func workdayOnTuesday_isRejected() {
        let error = importing([], ["2024-02-04", "2024-02-06"])
        #expect(error == .workdayNotWeekend(year: 2024, date: day("2024-02-06")))
        #expect(error?.code == "calendar.workday_not_weekend")
        #expect(error?.message.contains("星期二") == true)
    }

    @Test func dateFromAnotherYear_isRejected_exceptNearTheBoundary() {
        #expect(importing(["2023-10-01"]) == .dateOutsideYear(year: 2024, date: day("2023-10-01")))
        #expect(importing(["2023-12-24"])?.code == "calendar.date_outside_year")
        #expect(importing(["2025-01-08"])?.code == "calendar.date_outside_year")
        #expect(importing([], ["2025-06-07"])?.code == "calendar.date_outside_year")
        #expect(importing(["2023-12-25", "2025-01-07"]) == nil)
    }

    @Test(arguments: ["2024-02-30", "2024/02/10", "2024-2-10", "二〇二四年二月十日", ""])
    func unparsableDate_isRejected(_ value: String) {
        let error = importing(["2024-01-01", value])
        #expect(error == .unparsableDate(year: 2024, value: value))
        #expect(error?.code == "calendar.unparsable_date")
    }

    @Test func holidayAlsoWorkday_isRejected_withinAndAcrossSchedules() throws {
        #expect(importing(["2024-02-18"], ["2024-02-18"]) == .holidayAlsoWorkday(year: 2024, date: day("2024-02-18")))
        #expect(throws: CalendarError.holidayAlsoWorkday(year: 2023, date: day("2022-12-31"))) {
            try WorkCalendar.fromSchedules([
                YearSchedule(year: 2022, holidays: [], workdays: ["2022-12-31"], source: "a"),
                YearSchedule(year: 2023, holidays: ["2022-12-31"], workdays: [], source: "b"),
            ])
        }
    }

    @Test func duplicateOrInvalidYear_isRejected() {
        let schedule = YearSchedule(year: 2024, holidays: [], workdays: [], source: "x")
        #expect(throws: CalendarError.duplicateYear(2024)) { try WorkCalendar.fromSchedules([schedule, schedule]) }
        #expect(importing([], year: 0) == .invalidYear(0))
        #expect(!CalendarError.duplicateYear(2024).message.isEmpty)
    }

    @Test func jsonFormat_decodesAndImports() throws {
        let json = #"""
        [{"year":2024,"holidays":["2024-01-01","2024-02-10"],"workdays":["2024-02-04"],"source":"国办发明电〔2023〕7号"}]
        """#
        let schedules = try JSONDecoder().decode([YearSchedule].self, from: Data(json.utf8))
        #expect(schedules == [YearSchedule(year: 2024, holidays: ["2024-01-01", "2024-02-10"], workdays: ["2024-02-04"], source: "国办发明电〔2023〕7号")])
        let calendar = try WorkCalendar.fromSchedules(schedules)
        #expect(calendar.years == [2024])
        #expect(calendar.holidays == [day("2024-01-01"), day("2024-02-10")])
        #expect(calendar.isWorkday(day("2024-02-04")))

        let roundTrip = try JSONDecoder().decode(WorkCalendar.self, from: JSONEncoder().encode(calendar))
        #expect(roundTrip == calendar)
    }
}

// MARK: - Official schedules

@Suite("OfficialSchedules")
struct OfficialSchedulesTests {
    @Test func everyYear2020Through2026_isPresentOnceWithASource() {
        #expect(OfficialSchedules.all.map(\.year) == Array(2020...2026))
        #expect(official.years == Set(2020...2026))
        for schedule in OfficialSchedules.all {
            #expect(schedule.source.contains("国办发明电"), "\(schedule.year)")
        }
    }

    @Test func everyAdjustedWorkday_isAWeekendDay() {
        for schedule in OfficialSchedules.all {
            for text in schedule.workdays {
                #expect(day(text).isWeekend, "\(schedule.year): \(text) is \(day(text).weekday)")
            }
        }
        #expect(official.adjustedWorkdays.allSatisfy { $0.isWeekend })
        #expect(official.adjustedWorkdays.count == 6 + 7 + 7 + 7 + 8 + 5 + 6)
        #expect(official.holidays.isDisjoint(with: official.adjustedWorkdays))
    }

    /// Weekday days off minus weekend days worked = the statutory days of that year
    /// (11 until 2024, 13 from 2025; 2020: 11 + 2 for the epidemic extension of 春节).
    @Test(arguments: [(2020, 13), (2021, 11), (2022, 11), (2023, 11), (2024, 11), (2025, 13), (2026, 13)])
    func netDaysOff_matchStatutoryDays(_ year: Int, _ statutory: Int) throws {
        let schedule = try #require(OfficialSchedules.all.first { $0.year == year })
        let weekdayHolidays = schedule.holidays.map(day).filter { !$0.isWeekend }.count
        #expect(weekdayHolidays - schedule.workdays.count == statutory)
        #expect(Set(schedule.holidays).count == schedule.holidays.count)
    }

    @Test func holidayRanges_areListedInFull() {
        // 2026 春节 is nine days, 2-15 through 2-23, weekend days included.
        for text in ["2026-02-15", "2026-02-16", "2026-02-19", "2026-02-21", "2026-02-22", "2026-02-23"] {
            #expect(official.holidays.contains(day(text)), "\(text)")
        }
        #expect(!official.holidays.contains(day("2026-02-24")))
        #expect(official.holidays.contains(day("2022-12-31")))
        #expect(official.holidays.count == 30 + 31 + 31 + 27 + 28 + 28 + 33)
    }
}

// MARK: - Legal clock

@Suite("LegalClock")
struct LegalClockTests {
    /// Accepted Friday 2024-09-20, 20 working days: 9-23…9-27 (5), 9-29 Sun (6), 9-30 (7),
    /// 10-8…10-11 (11), 10-12 Sat (12), 10-14…10-18 (17), 10-21…10-23 (20).
    let start = day("2024-09-20")

    @Test func noSuspension_usedDeadlineRemaining() {
        let clock = LegalClock(start: start, limit: 20)
        #expect(clock.deadline(calendar: official) == day("2024-10-23"))
        #expect(clock.used(asOf: start, calendar: official) == 0)
        #expect(clock.used(asOf: day("2024-09-19"), calendar: official) == 0)
        #expect(clock.used(asOf: day("2024-10-07"), calendar: official) == 7)
        #expect(clock.used(asOf: day("2024-10-16"), calendar: official) == 15)
        #expect(clock.remaining(asOf: day("2024-10-16"), calendar: official) == 5)
        #expect(clock.remaining(asOf: day("2024-10-25"), calendar: official) == -2)
    }

    @Test func status_normalWarningOverdue() {
        let clock = LegalClock(start: start, limit: 20)
        #expect(clock.status(asOf: day("2024-10-16"), calendar: official) == .normal)   // 15/20 = 75 %
        #expect(clock.status(asOf: day("2024-10-17"), calendar: official) == .warning)  // 16/20 = 80 %
        #expect(clock.status(asOf: day("2024-10-23"), calendar: official) == .warning)  // deadline day
        #expect(clock.status(asOf: day("2024-10-24"), calendar: official) == .overdue)  // 21 > 20
    }

    @Test func status_overdueOnTheWeekendAfterAFridayDeadline() {
        // 2024-03-01 Fri + 5 working days = 2024-03-08 Fri. On Saturday used is still 5 == limit.
        let clock = LegalClock(start: day("2024-03-01"), limit: 5)
        #expect(clock.deadline(calendar: official) == day("2024-03-08"))
        #expect(clock.used(asOf: day("2024-03-09"), calendar: official) == 5)
        #expect(clock.status(asOf: day("2024-03-08"), calendar: official) == .warning)
        #expect(clock.status(asOf: day("2024-03-09"), calendar: official) == .overdue)
    }

    @Test func closedSuspension_isNotCounted_andPushesTheDeadline() {
        // 专家评审 Tue 9-24 … Fri 9-27: four working days not counted (行政许可法第四十五条).
        let clock = LegalClock(start: start, limit: 20, suspensions: [
            Suspension(from: day("2024-09-24"), to: day("2024-09-27"), reason: "专家评审"),
        ])
        #expect(clock.used(asOf: day("2024-09-26"), calendar: official) == 1)
        #expect(clock.used(asOf: day("2024-10-23"), calendar: official) == 16)
        #expect(clock.deadline(calendar: official) == day("2024-10-29"))
        #expect(clock.status(asOf: day("2024-10-29"), calendar: official) == .warning)
        #expect(clock.status(asOf: day("2024-10-30"), calendar: official) == .overdue)
        #expect(clock.status(asOf: day("2024-10-16"), calendar: official) == .normal)  // 11/20
    }

    @Test func openSuspension_runsToToday_andHidesTheDeadline() {
        let clock = LegalClock(start: start, limit: 20, suspensions: [
            Suspension(from: day("2024-10-08"), to: nil, reason: "检验检测"),
        ])
        #expect(clock.used(asOf: day("2024-10-15"), calendar: official) == 7)
        #expect(clock.deadline(calendar: official) == nil)
        #expect(clock.status(asOf: day("2024-10-15"), calendar: official) == .suspended)
        #expect(clock.status(asOf: day("2024-12-31"), calendar: official) == .suspended)
    }

    @Test func overlappingSuspensions_countOnce() {
        // 9-23 and 9-24 suspended (twice, overlapping; one began before acceptance); open from 10-24.
        let clock = LegalClock(start: start, limit: 20, suspensions: [
            Suspension(from: day("2024-09-23"), to: day("2024-09-24"), reason: "听证"),
            Suspension(from: day("2024-09-10"), to: day("2024-09-23"), reason: "补正"),
            Suspension(from: day("2024-10-24"), to: nil, reason: "鉴定"),
        ])
        #expect(clock.used(asOf: day("2024-10-25"), calendar: official) == 18)
    }

    @Test func stoppedClock_countsOnlyThroughTheDecisionDay() {
        let clock = LegalClock(start: start, limit: 20, stoppedOn: day("2024-10-10"))
        #expect(clock.used(asOf: day("2024-12-01"), calendar: official) == 10)
        #expect(clock.remaining(asOf: day("2024-12-01"), calendar: official) == 10)
        #expect(clock.status(asOf: day("2024-12-01"), calendar: official) == .stopped)
        #expect(clock.deadline(calendar: official) == day("2024-10-23"))
        #expect(clock.used(asOf: day("2024-09-30"), calendar: official) == 7)  // today before stop
    }

    @Test func zeroLimit_isDueOnTheAcceptanceDay() {
        let friday = day("2024-03-01")
        let clock = LegalClock(start: friday, limit: 0)
        #expect(clock.deadline(calendar: official) == friday)
        #expect(clock.status(asOf: friday, calendar: official) == .normal)
        #expect(clock.status(asOf: day("2024-03-02"), calendar: official) == .overdue)  // Saturday, still late
        #expect(clock.status(asOf: day("2024-03-04"), calendar: official) == .overdue)
    }
}

// MARK: - Deemed acceptance

@Suite("DeemedAcceptance")
struct DeemedAcceptanceTests {
    @Test func fifthWorkingDay_isNotYetDeemed_theNextDayIs() {
        // Received Fri 2024-09-27: 9-29 Sun (1), 9-30 (2), 国庆, 10-8 (3), 10-9 (4), 10-10 (5).
        let received = day("2024-09-27")
        #expect(DeemedAcceptance.noticeWindow == 5)
        #expect(DeemedAcceptance.lastNoticeDay(receivedOn: received, calendar: official) == day("2024-10-10"))
        #expect(!DeemedAcceptance.isDeemedAccepted(receivedOn: received, today: day("2024-10-10"), calendar: official))
        #expect(DeemedAcceptance.isDeemedAccepted(receivedOn: received, today: day("2024-10-11"), calendar: official))
        #expect(!DeemedAcceptance.isDeemedAccepted(receivedOn: received, today: day("2024-10-04"), calendar: official))
    }

    @Test func acrossTheExtendedSpringFestival2020() {
        // Received Wed 2020-01-22: 1-23 (1), 春节 1-24…2-2, 2-3 (2) … 2-6 (5).
        let received = day("2020-01-22")
        #expect(DeemedAcceptance.lastNoticeDay(receivedOn: received, calendar: official) == day("2020-02-06"))
        #expect(!DeemedAcceptance.isDeemedAccepted(receivedOn: received, today: day("2020-02-06"), calendar: official))
        #expect(DeemedAcceptance.isDeemedAccepted(receivedOn: received, today: day("2020-02-07"), calendar: official))
    }
}
