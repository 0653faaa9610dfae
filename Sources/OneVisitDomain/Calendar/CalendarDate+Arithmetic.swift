// Day arithmetic on `CalendarDate`: ordinals, weekdays, adding days and ISO parsing.
// Pure integer arithmetic (proleptic Gregorian), no Foundation calendar involved.

extension CalendarDate {
    /// Day of the week, ISO 8601 numbering.
    public enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

        /// Saturday or Sunday.
        public var isWeekend: Bool { self == .saturday || self == .sunday }

        /// Chinese name, e.g. `"星期一"`.
        public var chineseName: String {
            switch self {
            case .monday: "星期一"
            case .tuesday: "星期二"
            case .wednesday: "星期三"
            case .thursday: "星期四"
            case .friday: "星期五"
            case .saturday: "星期六"
            case .sunday: "星期日"
            }
        }

        public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Days since 1970-01-01 (which is 0); negative before it.
    ///
    /// Consecutive calendar days have consecutive ordinals, so differences are day counts.
    public var dayOrdinal: Int {
        // H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400                                   // [0, 399]
        let mp = (month + 9) % 12                                 // March = 0
        let doy = (153 * mp + 2) / 5 + day - 1                    // [0, 365]
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy           // [0, 146096]
        return era * 146_097 + doe - 719_468
    }

    /// The date with the given `dayOrdinal`, or `nil` outside years 1...9999.
    public init?(dayOrdinal: Int) {
        let z = dayOrdinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097                                           // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365     // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)                     // [0, 365]
        let mp = (5 * doy + 2) / 153                                          // [0, 11]
        let d = doy - (153 * mp + 2) / 5 + 1                                  // [1, 31]
        let m = mp < 10 ? mp + 3 : mp - 9                                     // [1, 12]
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: y, month: m, day: d)
    }

    /// Day of the week (1970-01-01 was a Thursday).
    public var weekday: Weekday {
        // Ordinal 0 is Thursday (ISO 4); shift so that Monday = 1 ... Sunday = 7.
        let zeroBasedFromMonday = ((dayOrdinal + 3) % 7 + 7) % 7
        return Weekday(rawValue: zeroBasedFromMonday + 1)!
    }

    /// Saturday or Sunday.
    public var isWeekend: Bool { weekday.isWeekend }

    /// The date `days` calendar days later (earlier if negative).
    ///
    /// Traps if the result leaves years 1...9999, which no government case should reach.
    public func adding(days: Int) -> CalendarDate {
        guard days != 0 else { return self }
        guard let result = CalendarDate(dayOrdinal: dayOrdinal + days) else {
            preconditionFailure("\(self) + \(days) days leaves the supported range 0001-01-01...9999-12-31")
        }
        return result
    }

    /// The following calendar day.
    public var nextDay: CalendarDate { adding(days: 1) }

    /// The preceding calendar day.
    public var previousDay: CalendarDate { adding(days: -1) }

    /// Calendar days from `self` to `other` (positive if `other` is later).
    public func days(to other: CalendarDate) -> Int { other.dayOrdinal - dayOrdinal }

    /// Parses exactly `yyyy-MM-dd` (ten ASCII characters, e.g. `"2024-02-10"`); the day must exist.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9]
        guard digitPositions.allSatisfy({ bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }) else { return nil }
        func number(_ range: ClosedRange<Int>) -> Int {
            bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        self.init(year: number(0...3), month: number(5...6), day: number(8...9))
    }
}
