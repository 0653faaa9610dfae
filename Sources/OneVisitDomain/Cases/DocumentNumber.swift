import Foundation

/// 文书编号: `RRRRRRXXYYYYNNNNNN` — region, series letters, year, and the region's yearly
/// sequence of the series in six digits (e.g. 410102SL2026000001). The one place that names
/// the series and formats the number.
public struct DocumentNumber: Sendable, Equatable, CustomStringConvertible {
    /// The series of a numbered document.
    public enum Series: String, Sendable, CaseIterable {
        /// 受理通知书 / 容缺受理通知书 (R6.4, R6.5).
        case acceptance = "SL"
        /// 一次性告知书 (R6.3).
        case notice = "BZ"
        /// 不予受理通知书.
        case refusal = "BSL"
        /// 现场核查通知书 (R8.4.2).
        case inspection = "HC"
        /// 准予 / 不予许可决定书 (R8.5).
        case decision = "JD"

        /// The name of the counter the sequence is drawn from (one per series, region and year).
        var counterPrefix: String {
            switch self {
            case .acceptance: "acceptance"
            case .notice: "notice"
            case .refusal: "refusal"
            case .inspection: "inspection"
            case .decision: "decision"
            }
        }
    }

    public var series: Series
    public var region: String
    public var year: Int
    public var sequence: Int

    public init(series: Series, region: String, year: Int, sequence: Int) {
        self.series = series
        self.region = region
        self.year = year
        self.sequence = sequence
    }

    /// The counter the next number of `series` in `region` and `year` comes from.
    public static func counter(_ series: Series, region: String, year: Int) -> String {
        "\(series.counterPrefix)-\(region)-\(year)"
    }

    public var description: String { "\(region)\(series.rawValue)\(year)\(String(format: "%06d", sequence))" }
}
