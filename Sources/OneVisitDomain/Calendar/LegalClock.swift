/// A period during which a case's legal clock does not run.
///
/// 《行政许可法》第四十五条: time needed for hearings, tendering, auctions, inspection, testing,
/// quarantine, appraisal and expert review is not counted in the statutory time limit (nor is
/// time the applicant takes to supplement materials). `from` and `to` are both inclusive;
/// `to == nil` means the case is still suspended.
public struct Suspension: Sendable, Codable, Equatable {
    public var from: CalendarDate
    public var to: CalendarDate?
    public var reason: String

    public init(from: CalendarDate, to: CalendarDate? = nil, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// Whether the suspension has not ended yet.
    public var isOpen: Bool { to == nil }
}

/// The statutory clock of one case: working days used against the time limit.
///
/// - 《行政许可法》第四十二条: a decision is due within 20 days of acceptance (extendable by 10
///   days with the head's approval); other laws and regulations may set other limits — `limit`.
/// - 第四十五条: suspensions (hearing, testing, expert review, …) are not counted.
/// - 第八十二条: limits are counted in working days, excluding statutory holidays; the acceptance
///   day itself (`start`) is not counted (the period begins the next day).
public struct LegalClock: Sendable, Equatable {
    /// Where a case stands against its limit.
    public enum Status: String, Sendable, Codable {
        /// Running, below 80 % of the limit.
        case normal
        /// Running, at or above 80 % of the limit.
        case warning
        /// Running, past the limit.
        case overdue
        /// Not running: an open ``Suspension``.
        case suspended
        /// A decision has been made (`stoppedOn`).
        case stopped
    }

    /// Acceptance day; not counted.
    public var start: CalendarDate
    /// Time limit in working days; 0 means the matter is handled on the spot (当场办结).
    public var limit: Int
    public var suspensions: [Suspension]
    /// Decision day: the clock stops; days after it are not counted.
    public var stoppedOn: CalendarDate?

    public init(start: CalendarDate, limit: Int, suspensions: [Suspension] = [], stoppedOn: CalendarDate? = nil) {
        self.start = start
        self.limit = limit
        self.suspensions = suspensions
        self.stoppedOn = stoppedOn
    }

    /// Whether any suspension has not ended.
    public var isSuspended: Bool { suspensions.contains(where: \.isOpen) }

    /// Working days after `start` through `min(today, stoppedOn)`, minus the working days inside
    /// any suspension (an open suspension runs through `today`). Overlapping suspensions count once.
    public func used(asOf today: CalendarDate, calendar: WorkCalendar) -> Int {
        var end = today
        if let stoppedOn, stoppedOn < end { end = stoppedOn }
        guard end > start else { return 0 }
        var total = calendar.workdays(after: start, through: end)
        for (from, to) in mergedSuspensions(openUntil: today) {
            // Working days in [from, to] ∩ (start, end].
            let lower = max(from.previousDay, start)
            let upper = min(to, end)
            total -= calendar.workdays(after: lower, through: upper)
        }
        return total
    }

    /// `limit - used` (negative once overdue).
    public func remaining(asOf today: CalendarDate, calendar: WorkCalendar) -> Int {
        limit - used(asOf: today, calendar: calendar)
    }

    /// The working day on which `used` reaches `limit`, assuming no further suspension.
    ///
    /// `nil` while a suspension is open (the deadline is not known until it ends); `start` when
    /// `limit <= 0`. Working days inside closed suspensions are skipped. Independent of `stoppedOn`.
    public func deadline(calendar: WorkCalendar) -> CalendarDate? {
        guard !isSuspended else { return nil }
        guard limit > 0 else { return start }
        let intervals = mergedSuspensions(openUntil: start)
        var date = start
        var counted = 0
        while counted < limit {
            date = date.nextDay
            // Skip the rest of a suspension covering this day.
            if let interval = intervals.first(where: { $0.from <= date && date <= $0.to }) {
                date = interval.to
                continue
            }
            if calendar.isWorkday(date) { counted += 1 }
        }
        return date
    }

    /// Precedence: stopped, suspended, overdue (`used > limit`, or `today` after the deadline),
    /// warning (`used * 100 >= 80 * limit`, `limit > 0`), normal.
    public func status(asOf today: CalendarDate, calendar: WorkCalendar) -> Status {
        if stoppedOn != nil { return .stopped }
        if isSuspended { return .suspended }
        let used = used(asOf: today, calendar: calendar)
        if used > limit { return .overdue }
        if let deadline = deadline(calendar: calendar), today > deadline { return .overdue }
        if limit > 0, used * 100 >= 80 * limit { return .warning }
        return .normal
    }

    /// Suspensions as sorted, non-overlapping closed intervals; open ones end at `openUntil`
    /// (intervals that would end before they begin are dropped).
    private func mergedSuspensions(openUntil: CalendarDate) -> [(from: CalendarDate, to: CalendarDate)] {
        let intervals = suspensions
            .map { (from: $0.from, to: $0.to ?? openUntil) }
            .filter { $0.from <= $0.to }
            .sorted { $0.from < $1.from }
        var merged: [(from: CalendarDate, to: CalendarDate)] = []
        for interval in intervals {
            if let last = merged.last, interval.from <= last.to.nextDay {
                merged[merged.count - 1].to = max(last.to, interval.to)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }
}
