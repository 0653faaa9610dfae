/// How a case's two due dates move when the calendar changes under it (R6.6): a year's
/// official notice replaces its provisional statutory days, so the promised and the legal
/// last day may come earlier or later. Pure; the service stores the promised one (`due_on`)
/// and records ``eventTitle(years:)`` as the case's event.
public struct DueDateRevision: Sendable, Equatable {
    /// A last day before and after; nil `before`: not known before (e.g. a stored value missing).
    public struct Move: Sendable, Equatable {
        public var before: CalendarDate?
        public var after: CalendarDate
        public init(before: CalendarDate?, after: CalendarDate) {
            self.before = before
            self.after = after
        }
    }

    /// The promised due date (承诺时限), when it moved.
    public var promised: Move?
    /// The legal due date (法定时限), when it moved.
    public var legal: Move?

    /// Compares both clocks on the two calendars. `storedPromised`: the promised last day as
    /// stored with the case, which is what the case said before (it may have been counted on
    /// an older rule than `before`). Nil when neither moved, or while a clock is suspended (no
    /// last day is known until it resumes).
    public static func revise(promised: LegalClock, legal: LegalClock, storedPromised: CalendarDate?,
                              before: WorkCalendar, after: WorkCalendar) -> DueDateRevision? {
        var revision = DueDateRevision()
        if let new = promised.deadline(calendar: after), new != storedPromised {
            revision.promised = Move(before: storedPromised, after: new)
        }
        if let new = legal.deadline(calendar: after), let old = legal.deadline(calendar: before), new != old {
            revision.legal = Move(before: old, after: new)
        }
        return revision.promised == nil && revision.legal == nil ? nil : revision
    }

    /// "国务院公布 2027 年节假日安排，承诺办结日由2027年1月4日调整为2027年1月5日，法定办结日由…调整为…".
    public func eventTitle(years: [Int]) -> String {
        let changes = [("承诺办结日", promised), ("法定办结日", legal)].compactMap { name, move in
            move.map { move in
                move.before.map { "\(name)由\(CaseNotices.dayText($0))调整为\(CaseNotices.dayText(move.after))" }
                    ?? "\(name)确定为\(CaseNotices.dayText(move.after))"
            }
        }
        let cause = years.isEmpty ? "工作日历调整" : "国务院公布 \(years.map(String.init).joined(separator: "、")) 年节假日安排"
        return "\(cause)，\(changes.joined(separator: "，"))"
    }
}
