import Foundation

/// What the law does by itself to cases on a given day — the jobs' scans — as a plan. Pure: the
/// cases as the scans see them and the day in, the changes out. The dry run (`onevisit jobs
/// --as-of DATE --dry-run`) prints this plan and the real run applies it, so the two cannot
/// disagree.
public enum DueScans {
    /// The scan a change comes from.
    public enum Scan: String, Sendable, Codable, CaseIterable {
        /// 行政许可法第三十二条第一款第（四）项: no notice within five working days.
        case deemedAcceptance
        /// R6.5: tolerated materials not supplied by their deadline.
        case toleranceDeadlines
    }

    /// A material the applicant has not handed in.
    public struct MissingMaterial: Sendable, Equatable {
        public var name: String
        public var importance: MaterialRequirement.Importance
        public init(name: String, importance: MaterialRequirement.Importance) {
            self.name = name
            self.importance = importance
        }
    }

    /// A received case waiting for the window, as the deemed-acceptance scan sees it.
    public struct Waiting: Sendable {
        public var id: UUID
        public var number: String
        public var regionCode: String
        public var version: Int
        public var receivedOn: CalendarDate
        /// A one-time notice (一次性告知书) was issued for the case at some time.
        public var noticeGiven: Bool
        public var missing: [MissingMaterial]
        public init(id: UUID, number: String, regionCode: String, version: Int, receivedOn: CalendarDate, noticeGiven: Bool, missing: [MissingMaterial]) {
            self.id = id
            self.number = number
            self.regionCode = regionCode
            self.version = version
            self.receivedOn = receivedOn
            self.noticeGiven = noticeGiven
            self.missing = missing
        }
    }

    /// An accepted case with a tolerance deadline, as the tolerance scan sees it.
    public struct Tolerated: Sendable {
        public var id: UUID
        public var number: String
        public var regionCode: String
        public var version: Int
        public var deadline: CalendarDate
        /// The legal clock has an open suspension already.
        public var clockSuspended: Bool
        public init(id: UUID, number: String, regionCode: String, version: Int, deadline: CalendarDate, clockSuspended: Bool) {
            self.id = id
            self.number = number
            self.regionCode = regionCode
            self.version = version
            self.deadline = deadline
            self.clockSuspended = clockSuspended
        }
    }

    /// One change a scan makes to one case: which case, what happens and why (in Chinese, as
    /// an operator reads it), and the figures behind it.
    public struct Change: Sendable, Equatable, Codable {
        public var scan: Scan
        public var caseID: UUID
        public var caseNumber: String
        public var region: String
        /// The version the scan read; the change is made only if the case still has it.
        public var version: Int
        public var what: String
        public var why: String
        /// Deemed acceptance: the day the legal clock starts (the day of receipt).
        public var clockStart: CalendarDate?
        /// Deemed acceptance: the last day a notice could have been given.
        public var lastNoticeDay: CalendarDate?
        /// Deemed acceptance: the materials still to be supplied after acceptance.
        public var materialsToSupply: [String]?
        /// Tolerance: the supply deadline that passed, and the day the clock stops from.
        public var deadline: CalendarDate?
        public var suspendFrom: CalendarDate?
    }

    /// The plan for one day.
    public struct Plan: Sendable, Equatable, Codable {
        public var asOf: CalendarDate
        public var deemedAcceptance: [Change]
        public var toleranceDeadlines: [Change]
        public var all: [Change] { deemedAcceptance + toleranceDeadlines }
    }

    public static func plan(asOf day: CalendarDate, waiting: [Waiting], tolerated: [Tolerated], calendar: WorkCalendar) -> Plan {
        Plan(asOf: day, deemedAcceptance: deemedAcceptance(waiting, on: day, calendar: calendar), toleranceDeadlines: toleranceDeadlines(tolerated, on: day))
    }

    /// 行政许可法第三十二条第一款第（四）项: materials incomplete or not in the statutory form, and no
    /// notice of everything to correct within five working days (第八十二条: working days) — the
    /// application counts as accepted from the day the materials were received. Exactly the cases
    /// with materials missing are the ones the rule is about, main materials included: the law
    /// accepts them, so the scan does not skip them. A case that did get a notice in time is left
    /// to the window (after resubmission the clerk accepts, notifies again or refuses).
    ///
    /// What the accepted case then looks like: its clock starts on the day of receipt; the
    /// missing materials stay recorded as missing and are named on the acceptance slip with a
    /// deadline to supply them (the R6.5 tolerance mechanism), approval waits for them, and the
    /// tolerance scan stops the clock if the deadline passes without them. The law fixes the
    /// acceptance, not the merits: without a required material the decision may still be a refusal.
    public static func deemedAcceptance(_ waiting: [Waiting], on day: CalendarDate, calendar: WorkCalendar) -> [Change] {
        waiting.filter { !$0.noticeGiven && DeemedAcceptance.isDeemedAccepted(receivedOn: $0.receivedOn, today: day, calendar: calendar) }
            .sorted { ($0.receivedOn, $0.number) < ($1.receivedOn, $1.number) }
            .map { c in
                let lastNotice = DeemedAcceptance.lastNoticeDay(receivedOn: c.receivedOn, calendar: calendar)
                let main = c.missing.filter { $0.importance != .secondary }.count
                let what = c.missing.isEmpty
                    ? "依法视为受理，自 \(c.receivedOn) 起计算办理时限"
                    : "依法视为受理，自 \(c.receivedOn) 起计算办理时限；欠缺的 \(c.missing.count) 项材料（其中主要材料 \(main) 项）列为待补交"
                return Change(scan: .deemedAcceptance, caseID: c.id, caseNumber: c.number, region: c.regionCode, version: c.version,
                              what: what,
                              why: "\(c.receivedOn) 收到申请材料，至第五个工作日 \(lastNotice) 未一次性告知补正（行政许可法第三十二条第一款第（四）项）",
                              clockStart: c.receivedOn, lastNoticeDay: lastNotice, materialsToSupply: c.missing.map(\.name))
            }
    }

    /// R6.5: tolerated materials not supplied by their deadline stop the clock from the day after
    /// the deadline until they come; nothing happens on the deadline itself, nor to a clock
    /// already stopped.
    public static func toleranceDeadlines(_ tolerated: [Tolerated], on day: CalendarDate) -> [Change] {
        tolerated.filter { day > $0.deadline && !$0.clockSuspended }
            .sorted { ($0.deadline, $0.number) < ($1.deadline, $1.number) }
            .map { c in
                Change(scan: .toleranceDeadlines, caseID: c.id, caseNumber: c.number, region: c.regionCode, version: c.version,
                       what: "自 \(c.deadline.nextDay) 起暂停计算办理时限，补齐后恢复",
                       why: "容缺受理的材料至补交期限 \(c.deadline) 未补齐（DB41/T 1700.1 6.5）",
                       deadline: c.deadline, suspendFrom: c.deadline.nextDay)
            }
    }
}
