/// What one case adds to the counted indicators of R11.3.4 in the bucket of its department,
/// item and day of receipt (issue 12 item 4: the dashboard sums kept counters instead of
/// scanning a million cases). Each transition adds `after − before` to the bucket, so the
/// counters stay exactly the sum over the cases. "Overdue" is not here: it changes with the
/// date, not with a transition, and is counted from the running cases as of today.
public struct KPIContribution: Sendable, Hashable, Codable {
    /// Received in the period (every channel): always 1 for a case.
    public var received: Int
    /// The legal clock started (accepted).
    public var accepted: Int
    /// Accepted on the day it was received (R11.3.4 b, 当场受理).
    public var acceptedOnTheSpot: Int
    /// Decided: the clock stopped.
    public var decided: Int
    /// Decided on or before the last day of the limit (R11.3.4 c, 按时办结).
    public var decidedOnTime: Int
    /// Decided, applied for online and delivered without a visit (R11.3.4 d, 网上办结).
    public var decidedOnline: Int
    /// In one of `CasePolicy.openStates`.
    public var open: Int
    /// Accepted at a comprehensive window or on the online platform (R11.3.4 a, 集中受理;
    /// `AcceptanceVenue.isConcentrated`).
    public var acceptedConcentrated: Int

    public init(received: Int = 0, accepted: Int = 0, acceptedOnTheSpot: Int = 0, decided: Int = 0, decidedOnTime: Int = 0,
                decidedOnline: Int = 0, open: Int = 0, acceptedConcentrated: Int = 0) {
        self.received = received
        self.accepted = accepted
        self.acceptedOnTheSpot = acceptedOnTheSpot
        self.decided = decided
        self.decidedOnTime = decidedOnTime
        self.decidedOnline = decidedOnline
        self.open = open
        self.acceptedConcentrated = acceptedConcentrated
    }

    /// One case's contribution from the columns the indicators read.
    public init(state: CaseState, receivedOn: CalendarDate, clockStart: CalendarDate?, stoppedOn: CalendarDate?, dueOn: CalendarDate?,
                channel: CaseChannel, delivery: ServiceTerms.Delivery, acceptedVia: AcceptanceVenue? = nil) {
        let decided = stoppedOn != nil
        self.init(
            received: 1,
            accepted: clockStart != nil ? 1 : 0,
            acceptedOnTheSpot: clockStart == receivedOn ? 1 : 0,
            decided: decided ? 1 : 0,
            decidedOnTime: { if let stoppedOn, let dueOn, stoppedOn <= dueOn { 1 } else { 0 } }(),
            decidedOnline: decided && channel == .online && delivery != .pickup ? 1 : 0,
            open: CasePolicy.openStates.contains(state) ? 1 : 0,
            // An online application is accepted on the platform whatever the column says (cases from
            // before it was recorded, bulk-seeded ones): the recount's SQL says the same.
            acceptedConcentrated: clockStart != nil && (channel == .online || acceptedVia?.isConcentrated == true) ? 1 : 0)
    }

    public static let zero = KPIContribution()

    public static func + (lhs: KPIContribution, rhs: KPIContribution) -> KPIContribution {
        KPIContribution(received: lhs.received + rhs.received, accepted: lhs.accepted + rhs.accepted,
                        acceptedOnTheSpot: lhs.acceptedOnTheSpot + rhs.acceptedOnTheSpot, decided: lhs.decided + rhs.decided,
                        decidedOnTime: lhs.decidedOnTime + rhs.decidedOnTime, decidedOnline: lhs.decidedOnline + rhs.decidedOnline,
                        open: lhs.open + rhs.open, acceptedConcentrated: lhs.acceptedConcentrated + rhs.acceptedConcentrated)
    }

    public static prefix func - (value: KPIContribution) -> KPIContribution {
        KPIContribution(received: -value.received, accepted: -value.accepted, acceptedOnTheSpot: -value.acceptedOnTheSpot,
                        decided: -value.decided, decidedOnTime: -value.decidedOnTime, decidedOnline: -value.decidedOnline, open: -value.open,
                        acceptedConcentrated: -value.acceptedConcentrated)
    }

    public static func - (lhs: KPIContribution, rhs: KPIContribution) -> KPIContribution { lhs + -rhs }

    /// As the report's figures; overdue and violations are counted elsewhere.
    public func indicators(overdue: Int = 0, violations: Int = 0) -> Indicators {
        Indicators(received: received, accepted: accepted, acceptedOnTheSpot: acceptedOnTheSpot, decided: decided,
                   decidedOnTime: decidedOnTime, decidedOnline: decidedOnline, open: open, overdue: overdue, violations: violations,
                   acceptedConcentrated: acceptedConcentrated)
    }
}
