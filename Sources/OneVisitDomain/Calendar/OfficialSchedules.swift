/// The State Council's published public-holiday arrangements, 2020–2026.
///
/// Each entry transcribes that year's 国务院办公厅关于部分节假日安排的通知: every day off of
/// every holiday (weekend days inside a holiday included) and every weekend day declared a
/// working day (调休上班). A new year is added by appending its notice here, or imported at run
/// time as JSON via ``WorkCalendar/fromSchedules(_:)`` and ``WorkCalendar/merging(_:)``.
///
/// Statutory days (全国年节及纪念日放假办法): 11 a year until 2024; 13 from 2025 (春节 and 劳动节
/// each gained a day: 除夕 and 5月2日).
public enum OfficialSchedules {
    public static let all: [YearSchedule] = [y2020, y2021, y2022, y2023, y2024, y2025, y2026]

    /// 国办发明电〔2019〕16号, with the Spring Festival extended to 2 February by
    /// 国办发明电〔2020〕1号 (关于延长2020年春节假期的通知), which also cancelled the
    /// 1 February (Saturday) working day.
    static let y2020 = YearSchedule(
        year: 2020,
        holidays: ["2020-01-01"]                                  // 元旦
            + days("2020-01-24", through: "2020-02-02")           // 春节（延长至2月2日）
            + days("2020-04-04", through: "2020-04-06")           // 清明节
            + days("2020-05-01", through: "2020-05-05")           // 劳动节
            + days("2020-06-25", through: "2020-06-27")           // 端午节
            + days("2020-10-01", through: "2020-10-08"),          // 国庆节、中秋节
        workdays: [
            "2020-01-19",                                         // 春节 (日)
            "2020-04-26", "2020-05-09",                           // 劳动节 (日, 六)
            "2020-06-28",                                         // 端午节 (日)
            "2020-09-27", "2020-10-10",                           // 国庆节、中秋节 (日, 六)
        ],
        source: "国办发明电〔2019〕16号；国办发明电〔2020〕1号")

    /// 国办发明电〔2020〕27号.
    static let y2021 = YearSchedule(
        year: 2021,
        holidays: days("2021-01-01", through: "2021-01-03")       // 元旦
            + days("2021-02-11", through: "2021-02-17")           // 春节
            + days("2021-04-03", through: "2021-04-05")           // 清明节
            + days("2021-05-01", through: "2021-05-05")           // 劳动节
            + days("2021-06-12", through: "2021-06-14")           // 端午节
            + days("2021-09-19", through: "2021-09-21")           // 中秋节
            + days("2021-10-01", through: "2021-10-07"),          // 国庆节
        workdays: [
            "2021-02-07", "2021-02-20",                           // 春节 (日, 六)
            "2021-04-25", "2021-05-08",                           // 劳动节 (日, 六)
            "2021-09-18",                                         // 中秋节 (六)
            "2021-09-26", "2021-10-09",                           // 国庆节 (日, 六)
        ],
        source: "国办发明电〔2020〕27号")

    /// 国办发明电〔2021〕11号.
    static let y2022 = YearSchedule(
        year: 2022,
        holidays: days("2022-01-01", through: "2022-01-03")       // 元旦
            + days("2022-01-31", through: "2022-02-06")           // 春节
            + days("2022-04-03", through: "2022-04-05")           // 清明节
            + days("2022-04-30", through: "2022-05-04")           // 劳动节
            + days("2022-06-03", through: "2022-06-05")           // 端午节
            + days("2022-09-10", through: "2022-09-12")           // 中秋节
            + days("2022-10-01", through: "2022-10-07"),          // 国庆节
        workdays: [
            "2022-01-29", "2022-01-30",                           // 春节 (六, 日)
            "2022-04-02",                                         // 清明节 (六)
            "2022-04-24", "2022-05-07",                           // 劳动节 (日, 六)
            "2022-10-08", "2022-10-09",                           // 国庆节 (六, 日)
        ],
        source: "国办发明电〔2021〕11号")

    /// 国办发明电〔2022〕16号. The New Year holiday begins on 2022-12-31.
    static let y2023 = YearSchedule(
        year: 2023,
        holidays: days("2022-12-31", through: "2023-01-02")       // 元旦
            + days("2023-01-21", through: "2023-01-27")           // 春节
            + ["2023-04-05"]                                      // 清明节
            + days("2023-04-29", through: "2023-05-03")           // 劳动节
            + days("2023-06-22", through: "2023-06-24")           // 端午节
            + days("2023-09-29", through: "2023-10-06"),          // 中秋节、国庆节
        workdays: [
            "2023-01-28", "2023-01-29",                           // 春节 (六, 日)
            "2023-04-23", "2023-05-06",                           // 劳动节 (日, 六)
            "2023-06-25",                                         // 端午节 (日)
            "2023-10-07", "2023-10-08",                           // 中秋节、国庆节 (六, 日)
        ],
        source: "国办发明电〔2022〕16号")

    /// 国办发明电〔2023〕7号.
    static let y2024 = YearSchedule(
        year: 2024,
        holidays: ["2024-01-01"]                                  // 元旦
            + days("2024-02-10", through: "2024-02-17")           // 春节
            + days("2024-04-04", through: "2024-04-06")           // 清明节
            + days("2024-05-01", through: "2024-05-05")           // 劳动节
            + ["2024-06-10"]                                      // 端午节
            + days("2024-09-15", through: "2024-09-17")           // 中秋节
            + days("2024-10-01", through: "2024-10-07"),          // 国庆节
        workdays: [
            "2024-02-04", "2024-02-18",                           // 春节 (日, 日)
            "2024-04-07",                                         // 清明节 (日)
            "2024-04-28", "2024-05-11",                           // 劳动节 (日, 六)
            "2024-09-14",                                         // 中秋节 (六)
            "2024-09-29", "2024-10-12",                           // 国庆节 (日, 六)
        ],
        source: "国办发明电〔2023〕7号")

    /// 国办发明电〔2024〕12号 (first year with 13 statutory days).
    static let y2025 = YearSchedule(
        year: 2025,
        holidays: ["2025-01-01"]                                  // 元旦
            + days("2025-01-28", through: "2025-02-04")           // 春节
            + days("2025-04-04", through: "2025-04-06")           // 清明节
            + days("2025-05-01", through: "2025-05-05")           // 劳动节
            + days("2025-05-31", through: "2025-06-02")           // 端午节
            + days("2025-10-01", through: "2025-10-08"),          // 国庆节、中秋节
        workdays: [
            "2025-01-26", "2025-02-08",                           // 春节 (日, 六)
            "2025-04-27",                                         // 劳动节 (日)
            "2025-09-28", "2025-10-11",                           // 国庆节、中秋节 (日, 六)
        ],
        source: "国办发明电〔2024〕12号")

    /// 国办发明电〔2025〕7号.
    static let y2026 = YearSchedule(
        year: 2026,
        holidays: days("2026-01-01", through: "2026-01-03")       // 元旦
            + days("2026-02-15", through: "2026-02-23")           // 春节
            + days("2026-04-04", through: "2026-04-06")           // 清明节
            + days("2026-05-01", through: "2026-05-05")           // 劳动节
            + days("2026-06-19", through: "2026-06-21")           // 端午节
            + days("2026-09-25", through: "2026-09-27")           // 中秋节
            + days("2026-10-01", through: "2026-10-07"),          // 国庆节
        workdays: [
            "2026-01-04",                                         // 元旦 (日)
            "2026-02-14", "2026-02-28",                           // 春节 (六, 六)
            "2026-05-09",                                         // 劳动节 (六)
            "2026-09-20", "2026-10-10",                           // 国庆节 (日, 六)
        ],
        source: "国办发明电〔2025〕7号")

    /// Every day from `first` through `last`, as `yyyy-MM-dd` strings.
    private static func days(_ first: String, through last: String) -> [String] {
        guard let start = CalendarDate(iso8601: first), let end = CalendarDate(iso8601: last), start <= end else {
            preconditionFailure("bad holiday range \(first)...\(last)")
        }
        return (0...start.days(to: end)).map { start.adding(days: $0).description }
    }
}
