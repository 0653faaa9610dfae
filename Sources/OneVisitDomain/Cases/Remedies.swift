import Foundation

/// Which organ reviews a department's acts on reconsideration (行政复议法 2023 年修订, 2024-01-01
/// 施行, 第二十四条、第二十七条).
public enum DepartmentKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A local people's government's working department (县级以上地方各级人民政府工作部门):
    /// reconsidered by the people's government at the same level only (第二十四条).
    case ordinary
    /// Vertically led (海关, 金融, 外汇管理 and the like): the department one level up (第二十七条).
    case verticallyLed = "vertical"
    /// 税务: the department one level up (第二十七条).
    case tax
    /// 国家安全机关: the department one level up (第二十七条).
    case stateSecurity = "state_security"

    public var chineseName: String {
        switch self {
        case .ordinary: "地方人民政府工作部门"
        case .verticallyLed: "实行垂直领导的行政机关"
        case .tax: "税务机关"
        case .stateSecurity: "国家安全机关"
        }
    }

    /// Whether reconsideration goes to the department one level up rather than the government.
    public var goesToHigherDepartment: Bool { self != .ordinary }

    /// The kind an organ's name shows, for rows written before the kind was stored
    /// (AddOrganKinds): 税务, 海关, 金融监管, 外汇管理, 国家安全; everything else is a local department.
    public static func guessed(fromName name: String) -> DepartmentKind {
        if name.contains("税务") { return .tax }
        if name.contains("国家安全") { return .stateSecurity }
        if ["海关", "金融监督管理", "金融监管", "外汇管理", "国家金融"].contains(where: name.contains) { return .verticallyLed }
        return .ordinary
    }
}

/// The applicant's two remedies against a decision not to approve or not to accept (R8.5.5,
/// R8.2.3): the reconsideration organ and the last day of each period, counted from the day the
/// document is served.
public struct Remedies: Sendable, Equatable {
    public var servedOn: CalendarDate
    /// The organ that takes the reconsideration application, named as the organisation data names it.
    public var reconsiderationOrgan: String
    /// The 60th day (行政复议法第二十条), moved past holidays.
    public var reconsiderationLastDay: CalendarDate
    /// Six months on (行政诉讼法第四十六条), moved past holidays.
    public var litigationLastDay: CalendarDate

    public init(servedOn: CalendarDate, reconsiderationOrgan: String, reconsiderationLastDay: CalendarDate, litigationLastDay: CalendarDate) {
        (self.servedOn, self.reconsiderationOrgan) = (servedOn, reconsiderationOrgan)
        (self.reconsiderationLastDay, self.litigationLastDay) = (reconsiderationLastDay, litigationLastDay)
    }

    /// 行政复议法第二十条: sixty days from knowing of the act.
    public static let reconsiderationDays = 60
    /// 行政诉讼法第四十六条: six months from knowing of the act.
    public static let litigationMonths = 6
    /// 行政诉讼法第四十五条: fifteen days from receiving the reconsideration decision.
    public static let litigationAfterReconsiderationDays = 15

    public enum Failure: Error, Equatable {
        /// A department whose acts go one level up has no higher department in the data.
        case higherDepartmentMissing(department: String)
        /// The region has no people's government name in the data.
        case governmentMissing
    }

    /// Both remedies for a department of `kind`. `government`: the people's government at the
    /// department's level (郑州市人民政府); `higherDepartment`: the department one level up, needed
    /// for every kind but `.ordinary` (国家税务总局郑州市税务局 → 国家税务总局河南省税务局).
    public static func of(department: String, kind: DepartmentKind, government: String, higherDepartment: String?,
                          servedOn: CalendarDate, calendar: WorkCalendar) throws(Failure) -> Remedies {
        let organ = try reconsiderationOrgan(department: department, kind: kind, government: government, higherDepartment: higherDepartment)
        return Remedies(servedOn: servedOn, reconsiderationOrgan: organ,
                        reconsiderationLastDay: lastDay(days: reconsiderationDays, from: servedOn, calendar: calendar),
                        litigationLastDay: lastDay(months: litigationMonths, from: servedOn, calendar: calendar))
    }

    /// 行政复议法第二十四条: the government at the same level for a local department; 第二十七条:
    /// the department one level up for vertically led bodies, 税务 and 国家安全. The old choice
    /// "本级人民政府或上一级主管部门" no longer exists; a missing name is an error, never guessed.
    public static func reconsiderationOrgan(department: String, kind: DepartmentKind, government: String, higherDepartment: String?) throws(Failure) -> String {
        if kind.goesToHigherDepartment {
            guard let higher = higherDepartment?.trimmed, !higher.isEmpty else { throw .higherDepartmentMissing(department: department) }
            return higher
        }
        let government = government.trimmed
        guard !government.isEmpty else { throw .governmentMissing }
        return government
    }

    /// The last day of a period of `days` calendar days starting on `start`: the start day is not
    /// counted (民事诉讼法第八十五条), so it is `start + days`; a last day that is not a working
    /// day (a weekend or a statutory holiday) moves to the next working day.
    public static func lastDay(days: Int, from start: CalendarDate, calendar: WorkCalendar) -> CalendarDate {
        nextWorkday(onOrAfter: start.adding(days: days), calendar: calendar)
    }

    /// The last day of a period of `months` months starting on `start`: the same date of the
    /// later month, or that month's last day when it has no such date (31 → 30, 28 or 29), then
    /// moved past weekends and holidays as above.
    public static func lastDay(months: Int, from start: CalendarDate, calendar: WorkCalendar) -> CalendarDate {
        nextWorkday(onOrAfter: sameDate(monthsLater: months, than: start), calendar: calendar)
    }

    /// The same date `months` later, or the later month's last day.
    public static func sameDate(monthsLater months: Int, than start: CalendarDate) -> CalendarDate {
        let index = start.year * 12 + (start.month - 1) + months
        let (year, month) = (index / 12, index % 12 + 1)
        let day = min(start.day, CalendarDate.daysInMonth(month, year: year))
        return CalendarDate(year: year, month: month, day: day) ?? start
    }

    /// `day` itself when it is a working day, else the first working day after it.
    public static func nextWorkday(onOrAfter day: CalendarDate, calendar: WorkCalendar) -> CalendarDate {
        var day = day
        var left = 60  // no year has a longer run without a working day; the bound only guards bad data
        while !calendar.isWorkday(day), left > 0 {
            day = day.nextDay
            left -= 1
        }
        return day
    }
}

private extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
