/// Working days under the State Council's public-holiday arrangements.
///
/// 《中华人民共和国行政许可法》第八十二条: the time limits this Law sets for administrative
/// organs are counted in working days, excluding statutory holidays (法定节假日). A working day
/// here is Monday–Friday, minus the statutory holidays, plus the weekend days that the annual
/// 国务院办公厅关于部分节假日安排的通知 turns into working days (调休上班).
///
/// A year outside ``years`` (no notice imported yet) falls back to its statutory holidays
/// (``StatutoryHolidays``: the 放假办法's festivals and make-up days, no swapped working days):
/// the provisional calendar of R6.6. A date counted on it is provisional —
/// ``status(from:through:)``; ``covers(_:)`` tells whether a year's notice is loaded.
public struct WorkCalendar: Sendable, Codable, Equatable {
    /// Statutory days off, on any day of the week (the full published ranges).
    public var holidays: Set<CalendarDate>
    /// Saturdays and Sundays that are working days (调休上班).
    public var adjustedWorkdays: Set<CalendarDate>
    /// Years whose official schedule has been loaded.
    public var years: Set<Int>

    public init(holidays: Set<CalendarDate> = [], adjustedWorkdays: Set<CalendarDate> = [], years: Set<Int> = []) {
        self.holidays = holidays
        self.adjustedWorkdays = adjustedWorkdays
        self.years = years
    }

    /// Whether the holiday schedule of `date`'s year is loaded.
    public func covers(_ date: CalendarDate) -> Bool { years.contains(date.year) }

    /// Adjusted workday → working; holiday → not; in a year without a notice, a statutory day off
    /// → not; otherwise Monday–Friday working, weekend not.
    public func isWorkday(_ d: CalendarDate) -> Bool {
        if adjustedWorkdays.contains(d) { return true }
        if holidays.contains(d) { return false }
        if d.isWeekend { return false }
        return years.contains(d.year) || !StatutoryHolidays.isDayOff(d)
    }

    /// The provisional days off (statutory, on Monday–Friday) of the years in `first...last`
    /// that have no notice loaded.
    private func provisionalDaysOff(from first: CalendarDate, through last: CalendarDate) -> [CalendarDate] {
        guard first <= last else { return [] }
        return (first.year...last.year).filter { !years.contains($0) }.flatMap { year in
            StatutoryHolidays.daysOff(in: year).filter { $0 >= first && $0 <= last && !$0.isWeekend }
        }
    }

    /// The date `n` working days after `start`, counting from the day after `start`.
    ///
    /// The start day itself is never counted (行政许可法第八十二条 counts in working days; as
    /// with every statutory period — 民法典第二百零一条 — the day on which it begins is not
    /// counted). So `n == 1` is the first working day after `start`, whatever `start` is, and
    /// `n == 0` is `start`. A negative `n` counts backwards: `-1` is the last working day before `start`.
    public func addWorkdays(_ start: CalendarDate, _ n: Int) -> CalendarDate {
        var date = start
        var left = n.magnitude
        let step = n >= 0 ? 1 : -1
        while left > 0 {
            date = date.adding(days: step)
            if isWorkday(date) { left -= 1 }
        }
        return date
    }

    /// Number of working days `d` with `start < d <= end`; 0 when `end <= start`.
    public func workdays(after start: CalendarDate, through end: CalendarDate) -> Int {
        guard end > start else { return 0 }
        let first = start.dayOrdinal + 1
        let last = end.dayOrdinal
        var count = Self.mondayToFridayCount(from: first, through: last)
        // Correct the plain weekday rule only where the schedule (or, in a year without one,
        // the statutory days off) changes it.
        let changed = holidays.union(adjustedWorkdays).union(provisionalDaysOff(from: start.nextDay, through: end))
        for date in changed where date > start && date <= end {
            let plain = !date.isWeekend
            let actual = isWorkday(date)
            if plain != actual { count += actual ? 1 : -1 }
        }
        return count
    }

    /// Monday–Friday days among the ordinals `first...last` (requires `first <= last`).
    private static func mondayToFridayCount(from first: Int, through last: Int) -> Int {
        let total = last - first + 1
        var count = (total / 7) * 5
        let remainder = total % 7
        if remainder > 0 {
            var ordinal = last - remainder + 1
            for _ in 0..<remainder {
                if !(CalendarDate(dayOrdinal: ordinal)?.isWeekend ?? true) { count += 1 }
                ordinal += 1
            }
        }
        return count
    }

    /// A calendar with `other`'s schedule for the years it covers and `self`'s for the rest.
    ///
    /// Every date of `self` whose calendar year is in `other.years` is dropped before `other`'s dates
    /// are added. A date that one year's notice places in a neighbouring year (e.g. 2022-12-31 in
    /// the 2023 New Year holiday) is kept from whichever calendar supplies that neighbouring year.
    public func merging(_ other: WorkCalendar) -> WorkCalendar {
        let keep: (CalendarDate) -> Bool = { !other.years.contains($0.year) }
        let holidays = holidays.filter(keep).union(other.holidays)
        let workdays = adjustedWorkdays.filter(keep).union(other.adjustedWorkdays)
        return WorkCalendar(
            holidays: holidays.subtracting(other.adjustedWorkdays),
            adjustedWorkdays: workdays.subtracting(other.holidays),
            years: years.union(other.years))
    }
}

// MARK: - Importable schedules

/// One year's holiday arrangement, as published in that year's
/// 国务院办公厅关于部分节假日安排的通知; the importable file format.
///
/// ```json
/// {"year":2024,"holidays":["2024-01-01","2024-02-10"],"workdays":["2024-02-04"],"source":"国办发明电〔2023〕7号"}
/// ```
/// Dates are `yyyy-MM-dd`. `holidays` lists every day off of every holiday (weekend days included);
/// `workdays` lists the weekend days that are working days.
public struct YearSchedule: Codable, Sendable, Equatable {
    public var year: Int
    public var holidays: [String]
    public var workdays: [String]
    /// Notice number, e.g. `"国办发明电〔2023〕7号"`.
    public var source: String

    public init(year: Int, holidays: [String], workdays: [String], source: String) {
        self.year = year
        self.holidays = holidays
        self.workdays = workdays
        self.source = source
    }
}

/// Why a holiday schedule could not be imported.
///
/// `code` is stable and meant for APIs, logs and tests; `message` is Chinese for the operator.
public enum CalendarError: Error, Equatable {
    /// `year` is outside 1...9999.
    case invalidYear(Int)
    /// Two schedules for the same year.
    case duplicateYear(Int)
    /// A date string is not a real `yyyy-MM-dd` day.
    case unparsableDate(year: Int, value: String)
    /// A date is not in the schedule's year nor within 7 days of its boundaries.
    case dateOutsideYear(year: Int, date: CalendarDate)
    /// An adjusted working day that is not a Saturday or Sunday.
    case workdayNotWeekend(year: Int, date: CalendarDate)
    /// A day listed both as holiday and as working day (within one schedule or across two).
    case holidayAlsoWorkday(year: Int, date: CalendarDate)

    /// Stable machine-readable code, e.g. `"calendar.workday_not_weekend"`.
    public var code: String {
        switch self {
        case .invalidYear: "calendar.invalid_year"
        case .duplicateYear: "calendar.duplicate_year"
        case .unparsableDate: "calendar.unparsable_date"
        case .dateOutsideYear: "calendar.date_outside_year"
        case .workdayNotWeekend: "calendar.workday_not_weekend"
        case .holidayAlsoWorkday: "calendar.holiday_also_workday"
        }
    }

    /// Message in Simplified Chinese.
    public var message: String {
        switch self {
        case .invalidYear(let year):
            "节假日安排的年份“\(year)”无效"
        case .duplicateYear(let year):
            "\(year)年的节假日安排重复导入，每年只能有一份"
        case .unparsableDate(let year, let value):
            "\(year)年节假日安排中的日期“\(value)”无法识别，应为“yyyy-MM-dd”格式的真实日期"
        case .dateOutsideYear(let year, let date):
            "\(year)年节假日安排中的日期\(date)不属于该年（跨年日期只允许在年初、年末7天内）"
        case .workdayNotWeekend(let year, let date):
            "\(year)年节假日安排中的调休上班日\(date)是\(date.weekday.chineseName)，调休上班日只能是星期六或星期日"
        case .holidayAlsoWorkday(let year, let date):
            "\(year)年节假日安排中的\(date)同时被列为放假日和调休上班日"
        }
    }
}

extension WorkCalendar {
    /// Builds a calendar from yearly schedules after checking each of them.
    ///
    /// Rejects: a year outside 1...9999 or given twice; a date that is not `yyyy-MM-dd`; a date
    /// outside the schedule's year, except within 7 days of either boundary (a New Year holiday
    /// may begin on 12-31 of the previous year); an adjusted working day on Monday–Friday; a day
    /// that is both holiday and working day, in one schedule or across two.
    public static func fromSchedules(_ s: [YearSchedule]) throws(CalendarError) -> WorkCalendar {
        var calendar = WorkCalendar()
        for schedule in s {
            let year = schedule.year
            guard (1...9999).contains(year) else { throw .invalidYear(year) }
            guard !calendar.years.contains(year) else { throw .duplicateYear(year) }
            let holidays = try dates(schedule.holidays, year: year)
            let workdays = try dates(schedule.workdays, year: year)
            for date in workdays.sorted() where !date.isWeekend {
                throw .workdayNotWeekend(year: year, date: date)
            }
            if let clash = holidays.intersection(workdays).union(holidays.intersection(calendar.adjustedWorkdays))
                .union(workdays.intersection(calendar.holidays)).min() {
                throw .holidayAlsoWorkday(year: year, date: clash)
            }
            calendar.holidays.formUnion(holidays)
            calendar.adjustedWorkdays.formUnion(workdays)
            calendar.years.insert(year)
        }
        return calendar
    }

    private static func dates(_ values: [String], year: Int) throws(CalendarError) -> Set<CalendarDate> {
        var result = Set<CalendarDate>()
        for value in values {
            guard let date = CalendarDate(iso8601: value) else { throw .unparsableDate(year: year, value: value) }
            guard isNear(date, year: year) else { throw .dateOutsideYear(year: year, date: date) }
            result.insert(date)
        }
        return result
    }

    /// In `year`, or in 12-25...12-31 of the previous year, or 01-01...01-07 of the next.
    private static func isNear(_ date: CalendarDate, year: Int) -> Bool {
        switch date.year {
        case year: true
        case year - 1: date.month == 12 && date.day >= 25
        case year + 1: date.month == 1 && date.day <= 7
        default: false
        }
    }

    /// The State Council schedules in ``OfficialSchedules/all`` (2020–2026).
    public static let official: WorkCalendar = {
        do throws(CalendarError) {
            return try fromSchedules(OfficialSchedules.all)
        } catch {
            preconditionFailure("OfficialSchedules.all is invalid: \(error.code) \(error.message)")
        }
    }()
}
