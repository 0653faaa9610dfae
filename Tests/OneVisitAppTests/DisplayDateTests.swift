import Foundation
import Testing
@testable import OneVisitApp

/// `DisplayDate` formats by arithmetic (issue 12); it must say exactly what `DateFormatter`
/// with the China time zone says, also across midnight, leap days, year ends and the summer
/// time of 1986–1991.
@Suite("Display dates")
struct DisplayDateTests {
    static func formatter(_ pattern: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "zh_CN")
        formatter.timeZone = DisplayDate.chinaTime
        formatter.dateFormat = pattern
        return formatter
    }

    @Test func arithmetic_agreesWithDateFormatter() {
        let minute = Self.formatter("yyyy年M月d日 HH:mm"), day = Self.formatter("yyyy年M月d日"), second = Self.formatter("yyyy-MM-dd HH:mm:ss")
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 1_795_000_000),
                             Date(timeIntervalSince1970: 951_753_600 - 8 * 3600), Date(timeIntervalSince1970: 1_798_732_799)]
        var generator = SystemRandomNumberGenerator()
        // 1970–2100 at random seconds, and every hour around the 1986–1991 summer-time changes
        for _ in 0..<3000 { dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_102_444_800, using: &generator)))) }
        for hour in stride(from: 514_000_000, to: 690_000_000, by: 3600 * 7) { dates.append(Date(timeIntervalSince1970: Double(hour))) }
        for date in dates {
            #expect(DisplayDate.minute(date) == minute.string(from: date), "\(date.timeIntervalSince1970)")
            #expect(DisplayDate.day(date) == day.string(from: date), "\(date.timeIntervalSince1970)")
            #expect(DisplayDate.second(date) == second.string(from: date), "\(date.timeIntervalSince1970)")
        }
        #expect(DisplayDate.minute(Date(timeIntervalSince1970: 1_795_000_000)) == "2026年11月18日 19:06")
    }
}
