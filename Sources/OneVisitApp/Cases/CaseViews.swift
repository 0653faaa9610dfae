import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain
import SQLKit

/// The legal clock as shown: used and promised working days, the date due, the status.
struct ClockView: Codable, Sendable {
    var started: Bool
    var startText: String
    /// The due date as written, with "（暂定）" when it is counted on a provisional year (R6.6), so
    /// every list that shows it marks it.
    var deadlineText: String
    var used: Int
    var limit: Int
    var status: String
    var statusName: String
    var suspended: Bool
    var warning: Bool
    var overdue: Bool
    /// `yyyy-MM-dd`; nil before acceptance and while suspended.
    var dueDate: String?
    /// `CalendarStatus` of `dueDate` (R6.6).
    var calendarStatus: String?

    static let names: [LegalClock.Status: String] = [.normal: "正常", .warning: "预警", .overdue: "超期", .suspended: "暂停计时", .stopped: "已办结"]

    init(_ clock: LegalClock?, today: CalendarDate, calendar: WorkCalendar) {
        guard let clock else {
            self.init(started: false, startText: "", deadlineText: "受理后开始计时", used: 0, limit: 0, status: "notStarted", statusName: "未开始", suspended: false, warning: false, overdue: false)
            return
        }
        let status = clock.status(asOf: today, calendar: calendar)
        let due = DueView(clock, calendar: calendar)
        self.init(
            started: true, startText: CaseService.dayText(clock.start),
            deadlineText: due.date == nil ? "暂停中" : due.dateText + (due.provisional ? "（暂定）" : ""),
            used: clock.used(asOf: today, calendar: calendar), limit: clock.limit, status: status.rawValue,
            statusName: Self.names[status] ?? status.rawValue, suspended: status == .suspended,
            warning: status == .warning, overdue: status == .overdue, dueDate: due.date, calendarStatus: due.calendarStatus)
    }

    init(started: Bool, startText: String, deadlineText: String, used: Int, limit: Int, status: String, statusName: String, suspended: Bool, warning: Bool, overdue: Bool,
         dueDate: String? = nil, calendarStatus: String? = nil) {
        self.started = started
        self.startText = startText
        self.deadlineText = deadlineText
        self.used = used
        self.limit = limit
        self.status = status
        self.statusName = statusName
        self.suspended = suspended
        self.warning = warning
        self.overdue = overdue
        self.dueDate = dueDate
        self.calendarStatus = calendarStatus
    }
}

/// One of a case's two clocks as the case page and the API show it (issue 13 point 6): the
/// promised (承诺时限) or the legal limit (法定时限, 行政许可法第四十二条), each with its extension,
/// its last day and whether that day is counted on official schedules only (R6.6).
struct DueView: Codable, Sendable {
    /// Working days, extension included.
    var limit: Int
    /// `yyyy-MM-dd`; nil while the clock is suspended (the day is not known until it resumes).
    var date: String?
    /// "2027年1月4日", or "暂停计时中".
    var dateText: String
    /// `CalendarStatus`; nil with `date`.
    var calendarStatus: String?
    var calendarStatusName: String?
    var provisional: Bool
    /// `CalendarStatus.note`: what a provisional date adds after it.
    var note: String

    init(_ clock: LegalClock, calendar: WorkCalendar) {
        limit = clock.limit
        guard let due = clock.deadline(calendar: calendar) else {
            (date, dateText, calendarStatus, calendarStatusName, provisional, note) = (nil, "暂停计时中", nil, nil, false, "")
            return
        }
        let status = calendar.status(from: clock.start, through: due)
        (date, dateText, calendarStatus, calendarStatusName) = (due.description, CaseService.dayText(due), status.rawValue, status.chineseName)
        (provisional, note) = (status == .provisional, status.note)
    }
}

/// A line of a case list; the applicant's name and ID masked (quality bar).
struct CaseSummary: ResponseEncodable, Decodable, Sendable {
    var id: UUID
    var number: String
    var itemName: String
    var state: String
    var stateName: String
    var channelName: String
    var receivedText: String
    var applicantMasked: String
    var version: Int
    var clock: ClockView
}

struct CaseDetail: ResponseEncodable, Decodable, Sendable {
    struct Material: Codable, Sendable {
        var id: UUID
        var position: Int
        var name: String
        var importanceName: String
        var secondary: Bool
        var status: String
        var statusName: String
        var missing: Bool
        var fileURL: String?
        var fileName: String?
        var source: String?
    }

    struct Event: Codable, Sendable {
        var timeText: String
        var title: String
        var note: String
    }

    struct Document: Codable, Sendable {
        var id: UUID
        var title: String
        var number: String
        var url: String
    }

    struct Task: Codable, Sendable {
        var id: UUID
        var departmentName: String
        var stepName: String
        var isLead: Bool
        var state: String
        var stateName: String
        var opinion: String?
        var note: String?
        var done: Bool
        var mine: Bool
        var version: Int
    }

    struct Payment: Codable, Sendable {
        var orderNumber: String
        var amountText: String
        var paid: Bool
        /// The order's every line, its reduction and total (R8.6, `FeeCharge.orderItems`).
        var lines: [String]? = nil
    }

    var summary: CaseSummary
    var applicantName: String
    var applicantIDMasked: String
    var applicantPhoneMasked: String
    var acceptanceNumber: String?
    var materials: [Material]
    var events: [Event]
    var documents: [Document]
    var tasks: [Task]
    var visits: [String]
    var trips: Int
    var tripsPromised: Int
    var tripsOver: Bool
    var payment: Payment?
    var resultURL: String?
    var deliveryName: String
    var deliveryDetail: String?
    var toleranceDeadlineText: String?
    var formData: [String: String]
    var nextStep: String
    /// The two clocks (issue 13 point 6); nil before acceptance.
    var promisedDue: DueView?
    var legalDue: DueView?
}

/// The columns of `cases` a line of a case list shows (`CaseSummary`): the lists read no more.
struct CaseSummaryRow: Decodable, Sendable {
    var id: UUID
    var number: String
    var itemName: String
    var state: CaseState
    var channel: CaseChannel
    var receivedAt: Date
    var applicantName: String
    var version: Int
    var clockStart: CalendarDate?
    var promisedLimit: Int
    var extensionDays: Int
    /// JSON of `[Suspension]`.
    var suspensions: String
    var stoppedOn: CalendarDate?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, number, state, channel, version, suspensions
        case itemName = "item_name", receivedAt = "received_at", applicantName = "applicant_name", clockStart = "clock_start"
        case promisedLimit = "promised_limit", extensionDays = "extension_days", stoppedOn = "stopped_on"
    }

    /// The columns, named with their table so that a join can take them too.
    static let columns: [any SQLExpression] = CodingKeys.allCases.map { SQLColumn($0.rawValue, table: CaseRow.table) }

    /// `SELECT` the summary columns `FROM cases`, to narrow with `where`, `orderBy`, `limit`.
    static func select(on sql: any SQLDatabase) -> SQLSelectBuilder { sql.select().columns(columns).from(CaseRow.table) }

    init(_ c: CaseRow) {
        (id, number, itemName, state, channel, receivedAt) = (c.id, c.number, c.itemName, c.state, c.channel, c.receivedAt)
        (applicantName, version, clockStart, promisedLimit) = (c.applicantName, c.version, c.clockStart, c.promisedLimit)
        (extensionDays, suspensions, stoppedOn) = (c.extensionDays, c.suspensions, c.stoppedOn)
    }

    /// The promised clock (承诺时限 plus any extension), nil before acceptance (as `CaseService.clock(for:)`);
    /// its deadline is the `due_on` column.
    var legalClock: LegalClock? {
        guard let clockStart else { return nil }
        return LegalClock(start: clockStart, limit: promisedLimit + extensionDays, suspensions: CaseService.suspensions(json: suspensions), stoppedOn: stoppedOn)
    }
}

/// A case with every row of it that its page and the API show, each table read once
/// (issue 12): the page's view, its buttons (`CasePolicy.available`) and the reach check
/// all work from these rows.
struct CaseFile: Sendable {
    /// An event as the case shows it.
    struct Event: Decodable, Sendable { var at: Date; var title: String; var note: String }
    /// A document as the case lists it; its content is read when it is opened.
    struct Document: Decodable, Sendable { var id: UUID; var kind: CaseDocumentKind; var number: String; var title: String }

    var c: CaseRow
    var tasks: [CaseTaskRow]
    /// By position.
    var materials: [CaseMaterialRow]
    /// By time.
    var events: [Event]
    /// By time of issue.
    var documents: [Document]
    /// By time.
    var visits: [CaseVisitRow]
    var payments: [PaymentRow]

    var taskDepartments: Set<UUID> { Set(tasks.map(\.departmentID)) }
}

extension CaseService {
    /// The suspensions stored with a case (`[]` for almost every case, read without a decoder).
    static func suspensions(json: String) -> [Suspension] {
        guard json != "[]" else { return [] }
        return (try? JSONDecoder().decode([Suspension].self, from: Data(json.utf8))) ?? []
    }

    func summary(_ c: CaseRow, calendar: WorkCalendar) -> CaseSummary { summary(CaseSummaryRow(c), calendar: calendar) }

    func summary(_ s: CaseSummaryRow, calendar: WorkCalendar) -> CaseSummary {
        CaseSummary(
            id: s.id, number: s.number, itemName: s.itemName, state: s.state.rawValue, stateName: s.state.chineseName,
            channelName: s.channel.chineseName, receivedText: Self.dateText(s.receivedAt), applicantMasked: Masking.name(s.applicantName),
            version: s.version, clock: ClockView(s.legalClock, today: today, calendar: calendar))
    }

    /// What `principal` may see of a case (`CasePolicy`, operation `view`): applicants their
    /// own, clerks and supervisors their region's, departments the cases they have a task in
    /// or lead. Others: not found, so nobody learns that a case exists.
    func visibleCase(_ id: UUID, to principal: Principal, on db: any Database) async throws -> CaseRow {
        guard let c = try await CaseRow.find(id, on: db.sql) else { throw Self.caseNotFound }
        try await Self.checkVisible(c, to: principal, scope: nil, on: db)
        return c
    }

    /// The case and its rows for its page and the API, if `principal` may see it (as `visibleCase`):
    /// the case and its tasks first (the tasks decide a department's reach), the rest once it may.
    func visibleFile(_ id: UUID, to principal: Principal, on db: any Database) async throws -> CaseFile {
        let sql = db.sql
        guard let c = try await CaseRow.find(id, on: sql) else { throw Self.caseNotFound }
        let tasks = try await CaseTaskRow.select(on: sql).where("case_id", .equal, id).rows(CaseTaskRow.self)
        let scope = try await Self.scope(of: c, for: principal, taskDepartments: Set(tasks.map(\.departmentID)), on: db)
        try await Self.checkVisible(c, to: principal, scope: scope, on: db)
        return try await Self.file(of: c, tasks: tasks, on: sql)
    }

    private static func checkVisible(_ c: CaseRow, to principal: Principal, scope: CaseScope?, on db: any Database) async throws {
        do {
            try await Self.authorize(.view, principal, c, scope: scope, on: db)
        } catch let error as AppError where error.status == .forbidden {
            throw Self.caseNotFound
        }
    }

    /// The rows of a case, one statement per table; `tasks` when the caller has read them.
    static func file(of c: CaseRow, tasks: [CaseTaskRow]? = nil, on sql: any SQLDatabase) async throws -> CaseFile {
        let tasks = if let tasks { tasks } else { try await CaseTaskRow.select(on: sql).where("case_id", .equal, c.id).rows(CaseTaskRow.self) }
        let materials = try await CaseMaterialRow.select(on: sql).where("case_id", .equal, c.id).orderBy("position").rows(CaseMaterialRow.self)
        let events = try await sql.select().columns("at", "title", "note").from(CaseEventRow.table)
            .where("case_id", .equal, c.id).orderBy("at").all(decoding: CaseFile.Event.self)
        let documents = try await sql.select().columns("id", "kind", "number", "title").from(CaseDocumentRow.table)
            .where("case_id", .equal, c.id).orderBy("created_at").all(decoding: CaseFile.Document.self)
        let visits = try await CaseVisitRow.select(on: sql).where("case_id", .equal, c.id).orderBy("at").rows(CaseVisitRow.self)
        let payments = try await PaymentRow.select(on: sql).where("case_id", .equal, c.id).rows(PaymentRow.self)
        return CaseFile(c: c, tasks: tasks, materials: materials, events: events, documents: documents, visits: visits, payments: payments)
    }

    /// What `principal` may do to the case now (`CasePolicy.available`): the buttons of the case page.
    func available(_ file: CaseFile, to principal: Principal, on db: any Database) async throws -> Set<CaseOperation> {
        let definition = try await definition(file.c.guideVersionID, on: db)
        let facts = facts(of: file, definition: definition, calendar: try await calendar(on: db))
        let scope = try await Self.scope(of: file.c, for: principal, taskDepartments: file.taskDepartments, on: db)
        return CasePolicy.available(for: principal.caseActor, on: scope, in: file.c.state, facts: facts)
    }

    /// The facts `CasePolicy` decides on, from the rows of the case already read.
    func facts(of file: CaseFile, definition: ItemDefinition, calendar: WorkCalendar) -> CaseFacts {
        let c = file.c
        let noticeTooLate = DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: today, calendar: calendar)
            && !file.documents.contains { $0.kind == .oneTimeNotice }
        return Self.facts(c, missing: file.materials.filter { $0.status == .missing }.map(\.importance), taskStates: file.tasks.map(\.state),
                          orders: file.payments.map(\.state), noticeTooLate: noticeTooLate, definition: definition)
    }

    /// The facts `CasePolicy` decides on, from what a case's materials, tasks and payment orders
    /// say: the importance of each missing material, each task's state, each order's state;
    /// `noticeTooLate`: deemed accepted without a one-time notice.
    static func facts(_ c: CaseRow, missing: [MaterialRequirement.Importance], taskStates: [TaskState], orders: [PaymentState], noticeTooLate: Bool,
                      definition: ItemDefinition) -> CaseFacts {
        CaseFacts(
            allReviewsDone: !taskStates.isEmpty && taskStates.allSatisfy { $0 == .done },
            supplementOutstanding: c.toleranceDeadline != nil && !missing.isEmpty,
            paymentOutstanding: !PaymentSettlement.isSettled(feeFen: c.feeFen, orders: orders),
            decidedAbove: definition.attributes.process.decisionLevel == .reportUp,
            onlySecondaryMissing: !missing.isEmpty && missing.allSatisfy { $0 == .secondary },
            complete: missing.isEmpty,
            immediate: definition.terms.immediate,
            toleranceOpen: c.toleranceDeadline != nil,
            clockSuspended: suspensions(c).contains(where: \.isOpen),
            paymentPending: PaymentSettlement.hasPendingOrder(orders),
            extensionDays: c.extensionDays,
            deliveryMode: c.deliveryMode,
            noticeTooLate: noticeTooLate)
    }

    /// The case as `principal` may see it, its rows read once.
    func detail(_ c: CaseRow, for principal: Principal, on db: any Database) async throws -> CaseDetail {
        let file = try await Self.file(of: c, on: db.sql)
        return detail(file, for: principal, calendar: try await calendar(on: db))
    }

    func detail(_ file: CaseFile, for principal: Principal, calendar: WorkCalendar) -> CaseDetail {
        let c = file.c
        let payment = file.payments.first
        let settled = PaymentSettlement.isSettled(feeFen: c.feeFen, orders: payment.map { [$0.state] } ?? [])
        let isOwner = principal.accountID == c.applicantID
        let formData = (try? JSONDecoder().decode([String: String].self, from: Data(c.formData.utf8))) ?? [:]
        return CaseDetail(
            summary: summary(c, calendar: calendar), applicantName: isOwner || principal.role.isStaff ? c.applicantName : Masking.name(c.applicantName),
            applicantIDMasked: c.applicantIDNumber.map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            applicantPhoneMasked: Masking.mask(c.applicantPhone, keepPrefix: 3, keepSuffix: 4),
            acceptanceNumber: c.acceptanceNumber,
            materials: file.materials.map { m in
                .init(id: m.id, position: m.position, name: m.name, importanceName: m.importance == .primary ? "主要" : "次要", secondary: m.importance == .secondary,
                      status: m.status.rawValue, statusName: m.status.chineseName, missing: m.status == .missing,
                      fileURL: m.fileSHA.map { _ in SitePath.Cases.materialFile(c.id, m.id).link }, fileName: m.fileName, source: m.source)
            },
            events: file.events.map { .init(timeText: Self.dateText($0.at), title: $0.title, note: $0.note) },
            documents: file.documents.map { .init(id: $0.id, title: $0.title, number: $0.number, url: SitePath.Cases.document(c.id, $0.id).link) },
            tasks: file.tasks.sorted { ($0.isLead ? 0 : 1, $0.departmentName) < ($1.isLead ? 0 : 1, $1.departmentName) }.map { t in
                .init(id: t.id, departmentName: t.departmentName, stepName: t.stepName, isLead: t.isLead, state: t.state.rawValue,
                      stateName: t.state.chineseName, opinion: t.opinion, note: t.note,
                      done: t.state == .done, mine: t.departmentID == principal.departmentID && t.state != .done, version: t.version)
            },
            visits: file.visits.map { "\(Self.dateText($0.at)) \($0.reason)" }, trips: file.visits.count, tripsPromised: c.tripsPromised,
            tripsOver: TripCount.isOverPromise(visits: file.visits.count, promised: c.tripsPromised),
            payment: payment.map { .init(orderNumber: $0.orderNumber, amountText: FeeAmount.text(fen: $0.amountFen), paid: $0.state == .paid,
                                         lines: FeeCharge.orderItems(c.feeCharge, totalFen: $0.amountFen)) },
            resultURL: c.resultSHA != nil && NextStep.resultServable(c.state) ? SitePath.Cases.result(c.id).link : nil,
            deliveryName: c.deliveryMode.chineseName,
            deliveryDetail: c.deliveryDetail,
            toleranceDeadlineText: c.toleranceDeadline.map { Self.dayText($0, from: c.receivedOn, calendar: calendar) },
            formData: formData,
            nextStep: NextStep.text(state: c.state, lastNoticeDay: Self.dayText(DeemedAcceptance.lastNoticeDay(receivedOn: c.receivedOn, calendar: calendar), from: c.receivedOn, calendar: calendar),
                                    toleranceOpen: c.toleranceDeadline != nil,
                                    amountDue: settled || payment == nil ? nil : payment.map { FeeAmount.text(fen: $0.amountFen) }, delivery: c.deliveryMode),
            promisedDue: clock(for: c).map { DueView($0, calendar: calendar) },
            legalDue: Self.statutoryClock(c).map { DueView($0, calendar: calendar) })
    }

    /// A last day counted from `start`, "（暂定）" after it when counted on a provisional year (R6.6).
    static func dayText(_ day: CalendarDate, from start: CalendarDate, calendar: WorkCalendar) -> String {
        dayText(day) + (calendar.status(from: start, through: day) == .provisional ? "（暂定）" : "")
    }

    /// The clock of the legal limit (法定时限, 行政许可法第四十二条: 20 working days or what a law
    /// sets, plus the extension approved under it), on the same start and suspensions as the promise.
    static func statutoryClock(_ c: CaseRow) -> LegalClock? {
        guard let start = c.clockStart else { return nil }
        return LegalClock(start: start, limit: c.legalLimit + c.extensionDays, suspensions: suspensions(c), stoppedOn: c.stoppedOn)
    }

    // MARK: lists

    /// The clerk's queue: cases of the region waiting at the window, oldest first.
    func queue(for clerk: Principal) async throws -> [CaseSummary] {
        let db = persistence.db
        let calendar = try await calendar(on: db)
        let query = CaseSummaryRow.select(on: db.sql).where("state", .in, CasePolicy.deskStates)
        if let region = clerk.regionCode, RegionCode(region)?.level != .province { query.where("region_code", .equal, region) }
        return try await query.orderBy("received_at").limit(500).all(decoding: CaseSummaryRow.self).map { summary($0, calendar: calendar) }
    }

    /// A line of the department workbench: a task and its case.
    struct WorkItem: Sendable {
        var stepName: String
        var isLead: Bool
        var assigneeID: UUID?
        var summary: CaseSummary
    }

    /// A task with the summary columns of its case, from one join.
    private struct WorkRow: Decodable {
        var c: CaseSummaryRow
        var stepName: String
        var isLead: Bool
        var assigneeID: UUID?

        enum CodingKeys: String, CodingKey, CaseIterable { case stepName = "step_name", isLead = "is_lead", assigneeID = "assignee_id" }

        init(from decoder: any Decoder) throws {
            c = try CaseSummaryRow(from: decoder)
            let row = try decoder.container(keyedBy: CodingKeys.self)
            stepName = try row.decode(String.self, forKey: .stepName)
            isLead = try row.decode(Bool.self, forKey: .isLead)
            assigneeID = try row.decodeIfPresent(UUID.self, forKey: .assigneeID)
        }

        static func select(on sql: any SQLDatabase) -> SQLSelectBuilder {
            sql.select().columns(CaseSummaryRow.columns)
                .columns(CodingKeys.allCases.map { SQLColumn($0.rawValue, table: CaseTaskRow.table) })
                .from(CaseTaskRow.table)
                .join(CaseRow.table, on: SQLColumn("id", table: CaseRow.table), .equal, SQLColumn("case_id", table: CaseTaskRow.table))
        }
    }

    /// A department's open tasks with their case clocks, the most used-up clock first; for its
    /// head also the cases it leads that wait for the decision.
    func tasks(for staff: Principal) async throws -> [WorkItem] {
        guard let department = staff.departmentID else { return [] }
        let db = persistence.db
        let calendar = try await calendar(on: db)
        var rows = try await WorkRow.select(on: db.sql)
            .where(SQLColumn("department_id", table: CaseTaskRow.table), .equal, SQLBind(department))
            .where(SQLColumn("state", table: CaseTaskRow.table), .notEqual, SQLBind(TaskState.done))
            .orderBy(SQLColumn("received_at", table: CaseRow.table)).all(decoding: WorkRow.self)
        if staff.role == .staff(.departmentHead) {
            // Each case once, with its lead task (or its first).
            let waiting = try await WorkRow.select(on: db.sql)
                .where(SQLColumn("department_id", table: CaseRow.table), .equal, SQLBind(department))
                .where(SQLColumn("state", table: CaseRow.table), .equal, SQLBind(CasePolicy.awaitingDecision))
                .orderBy(SQLColumn("received_at", table: CaseRow.table)).all(decoding: WorkRow.self)
            var picked: [UUID: Int] = [:]
            for row in waiting {
                if let index = picked[row.c.id] {
                    if row.isLead && !rows[index].isLead { rows[index] = row }
                } else {
                    picked[row.c.id] = rows.count
                    rows.append(row)
                }
            }
        }
        let items = rows.map { WorkItem(stepName: $0.stepName, isLead: $0.isLead, assigneeID: $0.assigneeID, summary: summary($0.c, calendar: calendar)) }
        return items.sorted { $0.summary.clock.used * 100 / max($0.summary.clock.limit, 1) > $1.summary.clock.used * 100 / max($1.summary.clock.limit, 1) }
    }

    /// The applicant's own cases, newest first.
    func cases(of applicant: Principal) async throws -> [CaseSummary] {
        let db = persistence.db
        let calendar = try await calendar(on: db)
        return try await CaseSummaryRow.select(on: db.sql).where("applicant_id", .equal, applicant.accountID)
            .orderBy("received_at", .descending).limit(200).all(decoding: CaseSummaryRow.self)
            .map { summary($0, calendar: calendar) }
    }
}
