/// The efficiency indicators of R11.3.4 and the violation counts of R11.3.5, from counted cases.
/// Rates are in tenths of a percent (整数千分比) so that they add and compare exactly; the
/// text shows one decimal, as the provincial 考核 tables do.
public struct Indicators: Sendable, Hashable, Codable {
    /// Applications received in the period (every channel).
    public var received: Int
    /// Of those, accepted (the legal clock started).
    public var accepted: Int
    /// Accepted on the day they were received (R11.3.4 b, 当场受理).
    public var acceptedOnTheSpot: Int
    /// A decision was made (approve, reject or report up; the clock stopped).
    public var decided: Int
    /// Decided on or before the last day of the limit (R11.3.4 c, 按时办结).
    public var decidedOnTime: Int
    /// Decided, applied for online and delivered without a visit (R11.3.4 d, 网上办结).
    public var decidedOnline: Int
    /// Still being handled.
    public var open: Int
    /// Still being handled and past the last day of the limit (R10.3 b, R11.3.5 c).
    public var overdue: Int
    /// Recorded violations, e.g. a notice after the five-day window (R11.3.5).
    public var violations: Int
    /// Of the accepted, accepted at a comprehensive window (综合受理窗口, R6.4) or on the online
    /// platform rather than at a department's own window (R11.3.4 a, 集中受理; `AcceptanceVenue`).
    public var acceptedConcentrated: Int

    public init(received: Int = 0, accepted: Int = 0, acceptedOnTheSpot: Int = 0, decided: Int = 0, decidedOnTime: Int = 0,
                decidedOnline: Int = 0, open: Int = 0, overdue: Int = 0, violations: Int = 0, acceptedConcentrated: Int = 0) {
        self.received = received
        self.accepted = accepted
        self.acceptedOnTheSpot = acceptedOnTheSpot
        self.decided = decided
        self.decidedOnTime = decidedOnTime
        self.decidedOnline = decidedOnline
        self.open = open
        self.overdue = overdue
        self.violations = violations
        self.acceptedConcentrated = acceptedConcentrated
    }

    /// R11.3.4 (a) 集中受理率: accepted at a comprehensive window or online ÷ accepted (DB41/T
    /// 1700.1—2018 11.3.4 a; what counts as 集中 from its 3.7, 5.2, 6.4 and 8.1.1, see
    /// `AcceptanceVenue`). Every accepted case is in the whole, including those whose venue was
    /// not recorded (accepted before it was, or deemed accepted with no window acting), which
    /// are not in the part: the rate never claims more than was recorded.
    public var concentratedRate: Int? { Self.perMille(acceptedConcentrated, of: accepted) }

    /// R11.3.4 (b): accepted on the spot ÷ accepted.
    public var onTheSpotRate: Int? { Self.perMille(acceptedOnTheSpot, of: accepted) }
    /// R11.3.4 (c): decided on time ÷ decided.
    public var onTimeRate: Int? { Self.perMille(decidedOnTime, of: decided) }
    /// R11.3.4 (d): decided online without a visit ÷ decided.
    public var onlineRate: Int? { Self.perMille(decidedOnline, of: decided) }

    /// `part ÷ whole` in tenths of a percent, rounded half up; nil when nothing was counted
    /// (a rate of nothing is not 0 % and not 100 %).
    public static func perMille(_ part: Int, of whole: Int) -> Int? {
        guard whole > 0 else { return nil }
        return (part * 2000 + whole) / (2 * whole)
    }

    /// "97.5%", or "—" for no cases.
    public static func text(_ perMille: Int?) -> String {
        guard let perMille else { return "—" }
        return "\(perMille / 10).\(perMille % 10)%"
    }

    /// The sum of several departments' figures.
    public static func + (lhs: Indicators, rhs: Indicators) -> Indicators {
        Indicators(received: lhs.received + rhs.received, accepted: lhs.accepted + rhs.accepted,
                   acceptedOnTheSpot: lhs.acceptedOnTheSpot + rhs.acceptedOnTheSpot, decided: lhs.decided + rhs.decided,
                   decidedOnTime: lhs.decidedOnTime + rhs.decidedOnTime, decidedOnline: lhs.decidedOnline + rhs.decidedOnline,
                   open: lhs.open + rhs.open, overdue: lhs.overdue + rhs.overdue, violations: lhs.violations + rhs.violations,
                   acceptedConcentrated: lhs.acceptedConcentrated + rhs.acceptedConcentrated)
    }
}

extension RegionCode {
    /// The leading digits every code inside this region shares: "41" for a province, "4101"
    /// for a city, the whole code for a county (GB/T 2260).
    public var subtreePrefix: String {
        switch level {
        case .province: String(value.prefix(2))
        case .city: String(value.prefix(4))
        case .county: value
        }
    }

    /// Whether `other` is this region or lies inside it.
    public func contains(_ other: RegionCode) -> Bool { other.value.hasPrefix(subtreePrefix) }
}
