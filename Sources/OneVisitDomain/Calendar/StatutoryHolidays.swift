import Foundation
import Synchronization

/// The statutory holidays of a year as the law fixes them, before (or without) the State
/// Council's yearly notice: the provisional calendar of R6.6.
///
/// 《全国年节及纪念日放假办法》 (as amended by 国务院令第795号, in force 2025-01-01), 第二条:
/// 元旦 1 day (1 January); 春节 4 days (农历除夕 to 正月初三); 清明节 1 day (the Qingming solar
/// term); 劳动节 2 days (1–2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
/// 国庆节 3 days (1–3 October). 第六条: a holiday of all citizens that falls on a Saturday or
/// Sunday is made up on a working day (补假). Each year's
/// 国务院办公厅关于部分节假日安排的通知 then fixes the actual days, with swapped working days
/// (调休); until it is imported, these days plus weekends are the best-known calendar for that
/// year (FACTS.md), so a due date counted on them is provisional (``CalendarStatus``).
///
/// - Earlier editions apply to earlier years: 国务院令第644号 (2014–2024: 春节 正月初一 to
///   初三, 劳动节 1 day), 第513号 (2008–2013: 春节 除夕 to 正月初二), 第270号 (up to 2007: 春节
///   初一 to 初三, 劳动节 1–3 May, no 清明/端午/中秋).
/// - 补假 (make-up days): the law says only "on a working day"; the notices put it right after
///   the holiday, so each statutory day on a weekend — or on the same day as another festival
///   (中秋 on 国庆 in 2009 and 2020 gave a day more) — adds the first following Monday–Friday
///   that is not already a day off. An estimate by design, replaced by the notice when imported.
/// - Lunar dates come from Foundation's Chinese calendar (ICU, astronomical, Beijing time
///   UTC+8, as GB/T 33661-2017 prescribes); Qingming from the solar-term formula below.
public enum StatutoryHolidays {
    /// A statutory festival.
    public enum Festival: String, Sendable, CaseIterable, Codable {
        case newYear, springFestival, qingming, labourDay, dragonBoat, midAutumn, nationalDay

        /// `"元旦"`, `"春节"`, …
        public var chineseName: String {
            switch self {
            case .newYear: "元旦"
            case .springFestival: "春节"
            case .qingming: "清明节"
            case .labourDay: "劳动节"
            case .dragonBoat: "端午节"
            case .midAutumn: "中秋节"
            case .nationalDay: "国庆节"
            }
        }
    }

    /// One statutory day off: a festival's day, or a make-up day (补假) for one on a weekend.
    public struct Day: Sendable, Hashable {
        public var date: CalendarDate
        /// The festival of the day; for a make-up day, the festival it makes up for.
        public var festival: Festival
        /// A make-up day (放假办法第六条), not the festival's own day.
        public var makeUp: Bool

        public init(date: CalendarDate, festival: Festival, makeUp: Bool = false) {
            self.date = date
            self.festival = festival
            self.makeUp = makeUp
        }
    }

    /// The festivals' own days of `year`, in date order (a day may carry two festivals).
    public static func festivalDays(in year: Int) -> [Day] {
        var days: [Day] = []
        func add(_ festival: Festival, _ dates: [CalendarDate?]) {
            days += dates.compactMap { $0 }.map { Day(date: $0, festival: festival) }
        }
        let newYear = lunarDate(year: year, month: 1, day: 1)
        add(.newYear, [CalendarDate(year: year, month: 1, day: 1)])
        add(.nationalDay, (1...3).map { CalendarDate(year: year, month: 10, day: $0) })
        switch year {
        case 2025...:  // 国务院令第795号
            add(.springFestival, (-1...2).map { newYear.adding(days: $0) })
            add(.labourDay, (1...2).map { CalendarDate(year: year, month: 5, day: $0) })
        case 2014...2024:  // 国务院令第644号
            add(.springFestival, (0...2).map { newYear.adding(days: $0) })
            add(.labourDay, [CalendarDate(year: year, month: 5, day: 1)])
        case 2008...2013:  // 国务院令第513号
            add(.springFestival, (-1...1).map { newYear.adding(days: $0) })
            add(.labourDay, [CalendarDate(year: year, month: 5, day: 1)])
        default:  // 国务院令第270号
            add(.springFestival, (0...2).map { newYear.adding(days: $0) })
            add(.labourDay, (1...3).map { CalendarDate(year: year, month: 5, day: $0) })
        }
        if year >= 2008 {
            add(.qingming, [qingming(year)])
            add(.dragonBoat, [lunarDate(year: year, month: 5, day: 5)])
            add(.midAutumn, [lunarDate(year: year, month: 8, day: 15)])
        }
        return days.sorted { ($0.date, $0.festival.rawValue) < ($1.date, $1.festival.rawValue) }
    }

    /// The festivals' days and their make-up days, in date order.
    ///
    /// Each festival day on a Saturday or Sunday, or on a date another festival already has,
    /// adds the first Monday–Friday after it that is neither a festival day nor a make-up day yet.
    public static func days(in year: Int) -> [Day] {
        let festivals = festivalDays(in: year)
        var taken = Set(festivals.map(\.date))
        var seen = Set<CalendarDate>()
        var makeUps: [Day] = []
        for day in festivals {
            let coincides = !seen.insert(day.date).inserted
            guard day.date.isWeekend || coincides else { continue }
            var candidate = day.date.nextDay
            while candidate.isWeekend || taken.contains(candidate) { candidate = candidate.nextDay }
            taken.insert(candidate)
            makeUps.append(Day(date: candidate, festival: day.festival, makeUp: true))
        }
        return (festivals + makeUps).sorted { ($0.date, $0.makeUp ? 1 : 0) < ($1.date, $1.makeUp ? 1 : 0) }
    }

    /// Every day off of `year` on the provisional calendar (festivals and make-up days); computed
    /// once per year and kept (a few hundred bytes a year).
    public static func daysOff(in year: Int) -> Set<CalendarDate> {
        if let known = cache.withLock({ $0[year] }) { return known }
        let computed = Set(days(in: year).map(\.date))
        cache.withLock { $0[year] = computed }
        return computed
    }

    /// Whether `date` is a day off on its year's provisional calendar.
    public static func isDayOff(_ date: CalendarDate) -> Bool { daysOff(in: date.year).contains(date) }

    /// The provisional calendar of `year` as an importable schedule (no swapped working days).
    public static func provisionalSchedule(for year: Int) -> YearSchedule {
        YearSchedule(year: year, holidays: daysOff(in: year).sorted().map(\.description), workdays: [],
                     source: "暂定：《全国年节及纪念日放假办法》法定节假日（国务院尚未公布\(year)年节假日安排）")
    }

    private static let cache = Mutex<[Int: Set<CalendarDate>]>([:])

    // MARK: - Lunar dates and Qingming

    /// Beijing time, in which the Chinese calendar is reckoned (GB/T 33661-2017).
    private static let beijing = TimeZone(secondsFromGMT: 8 * 3600)!

    /// The Gregorian day of lunar `month`/`day` (not a leap month) of the lunar year that begins
    /// in Gregorian `year`. Traps if Foundation cannot answer, which would be a broken toolchain.
    public static func lunarDate(year: Int, month: Int, day: Int) -> CalendarDate {
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = beijing
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = beijing
        // Mid-year is always in the lunar year that began in January or February of `year`.
        guard let midYear = gregorian.date(from: DateComponents(year: year, month: 7, day: 1, hour: 12)) else {
            preconditionFailure("no Gregorian date for \(year)-07-01")
        }
        let lunarYear = chinese.dateComponents([.era, .year], from: midYear)
        var wanted = DateComponents()
        (wanted.era, wanted.year, wanted.month, wanted.day) = (lunarYear.era, lunarYear.year, month, day)
        wanted.isLeapMonth = false
        wanted.hour = 12
        guard let date = chinese.date(from: wanted) else {
            preconditionFailure("the Chinese calendar has no \(month)/\(day) in the lunar year beginning in \(year)")
        }
        return CalendarDate(date: date, timeZone: beijing)
    }

    /// The day of the Qingming solar term (太阳黄经 15°) in April of `year`, Beijing time.
    ///
    /// The solar-term formula [Y×D+C]−L (Y: the year's last two digits, D = 0.2422, C = 4.81 in
    /// the 21st century and 5.59 in the 20th, L = ⌊Y/4⌋ leap days so far): checked against a
    /// computation of the Sun's apparent longitude (Meeus, Astronomical Algorithms ch. 25) for
    /// every year 2000–2099 without a difference. Outside 1901–2099 it keeps the 21st-century
    /// constant, an approximation no case of this system will reach.
    public static func qingming(_ year: Int) -> CalendarDate {
        let y = ((year % 100) + 100) % 100
        let c = (1901...1999).contains(year) ? 5.59 : 4.81
        let day = Int((Double(y) * 0.2422 + c).rounded(.down)) - y / 4
        guard let date = CalendarDate(year: year, month: 4, day: day) else { preconditionFailure("Qingming \(year)-04-\(day)") }
        return date
    }
}
