import Foundation

/// Dates as shown on pages and documents: China Standard Time, Chinese forms.
enum DisplayDate {
    static let chinaTime = TimeZone(identifier: "Asia/Shanghai")!

    static func text(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "zh_CN")
        formatter.timeZone = chinaTime
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    /// 2026年11月18日 15:06
    static func minute(_ date: Date) -> String { text(date, "yyyy年M月d日 HH:mm") }
    /// 2026年11月18日
    static func day(_ date: Date) -> String { text(date, "yyyy年M月d日") }
    /// 2026-11-18 15:06:40, for dense staff tables
    static func second(_ date: Date) -> String { text(date, "yyyy-MM-dd HH:mm:ss") }
}
