import Foundation

/// Dates as shown on pages and documents: China Standard Time, Chinese forms.
enum DisplayDate {
    static let chinaTime = TimeZone(identifier: "Asia/Shanghai")!

    /// The civil date and time in China of `date`. By arithmetic (the civil-from-days
    /// algorithm of H. Hinnant), not `DateFormatter`: creating a formatter per call was 4 % of
    /// a case step's CPU (bench/RESULTS.md, issue 12). The offset still comes from the time
    /// zone data (+8 since 1991; summer time 1986–1991 is kept).
    static func parts(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let local = Int((date.timeIntervalSince1970).rounded(.down)) + chinaTime.secondsFromGMT(for: date)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let secondOfDay = local - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// 2026年11月18日 15:06
    static func minute(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.year)年\(p.month)月\(p.day)日 \(two(p.hour)):\(two(p.minute))"
    }
    /// 2026年11月18日
    static func day(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.year)年\(p.month)月\(p.day)日"
    }
    /// 2026-11-18 15:06:40, for dense staff tables
    static func second(_ date: Date) -> String {
        let p = parts(date)
        return "\(p.year)-\(two(p.month))-\(two(p.day)) \(two(p.hour)):\(two(p.minute)):\(two(p.second))"
    }
}
