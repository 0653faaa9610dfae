/// Whether a date counted in working days rests on the State Council's published schedules or,
/// for some year it depends on, on the provisional calendar of statutory holidays (R6.6).
public enum CalendarStatus: String, Sendable, Codable, CaseIterable {
    /// Every year the count depends on has an imported official schedule.
    case official
    /// Some year the count depends on has none yet: the date may move when it is imported.
    case provisional

    /// `"正式"` / `"暂定"`.
    public var chineseName: String {
        switch self {
        case .official: "正式"
        case .provisional: "暂定"
        }
    }

    /// What a document or page adds after a provisional date; empty for an official one.
    public var note: String {
        switch self {
        case .official: ""
        case .provisional: "（按暂定工作日历计算，国务院公布当年节假日安排后可能调整）"
        }
    }
}

extension WorkCalendar {
    /// The years a count of working days from `start` to `due` depends on: every year from
    /// `start`'s to `due`'s, and the next one when `due` is on or after 25 December — a notice
    /// may place the first days of its New Year holiday, or a swapped working day, in the last
    /// week of the year before (the 2019 notice: 2018-12-29 worked, 2018-12-30/31 off), which is
    /// also what ``fromSchedules(_:)`` accepts.
    public static func yearsDepended(from start: CalendarDate, through due: CalendarDate) -> ClosedRange<Int> {
        let first = min(start.year, due.year)
        let last = due.month == 12 && due.day >= 25 ? due.year + 1 : due.year
        return first...max(first, last)
    }

    /// Official when every year in ``yearsDepended(from:through:)`` has an official schedule,
    /// provisional otherwise (R6.6: a due date counted on a provisional year is marked so).
    public func status(from start: CalendarDate, through due: CalendarDate) -> CalendarStatus {
        Self.yearsDepended(from: start, through: due).allSatisfy(years.contains) ? .official : .provisional
    }
}
