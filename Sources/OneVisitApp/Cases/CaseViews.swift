import FluentKit
import FluentSQL
import Foundation
import Hummingbird
import OneVisitDomain

/// The legal clock as shown: used and promised working days, the date due, the status.
struct ClockView: Codable, Sendable {
    var started: Bool
    var startText: String
    var deadlineText: String
    var used: Int
    var limit: Int
    var status: String
    var statusName: String
    var suspended: Bool
    var warning: Bool
    var overdue: Bool

    static let names: [LegalClock.Status: String] = [.normal: "正常", .warning: "预警", .overdue: "超期", .suspended: "暂停计时", .stopped: "已办结"]

    init(_ clock: LegalClock?, today: CalendarDate, calendar: WorkCalendar) {
        guard let clock else {
            self.init(started: false, startText: "", deadlineText: "受理后开始计时", used: 0, limit: 0, status: "notStarted", statusName: "未开始", suspended: false, warning: false, overdue: false)
            return
        }
        let status = clock.status(asOf: today, calendar: calendar)
        self.init(
            started: true, startText: CaseService.dayText(clock.start),
            deadlineText: clock.deadline(calendar: calendar).map(CaseService.dayText) ?? "暂停中",
            used: clock.used(asOf: today, calendar: calendar), limit: clock.limit, status: status.rawValue,
            statusName: Self.names[status] ?? status.rawValue, suspended: status == .suspended,
            warning: status == .warning, overdue: status == .overdue)
    }

    init(started: Bool, startText: String, deadlineText: String, used: Int, limit: Int, status: String, statusName: String, suspended: Bool, warning: Bool, overdue: Bool) {
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
}

extension CaseService {
    func summary(_ c: CaseModel, calendar: WorkCalendar) -> CaseSummary {
        CaseSummary(
            id: c.id!, number: c.number, itemName: c.itemName, state: c.state.rawValue, stateName: c.state.chineseName,
            channelName: c.channel.chineseName, receivedText: Self.dateText(c.receivedAt), applicantMasked: Masking.name(c.applicantName),
            version: c.version, clock: ClockView(clock(for: c), today: today, calendar: calendar))
    }

    /// What `principal` may see of a case (`CasePolicy`, operation `view`): applicants their
    /// own, clerks and supervisors their region's, departments the cases they have a task in
    /// or lead. Others: not found, so nobody learns that a case exists.
    func visibleCase(_ id: UUID, to principal: Principal, on db: any Database) async throws -> CaseModel {
        guard let c = try await CaseModel.find(id, on: db) else { throw Self.caseNotFound }
        do {
            try await Self.authorize(.view, principal, c, on: db)
        } catch let error as AppError where error.status == .forbidden {
            throw Self.caseNotFound
        }
        return c
    }

    /// What `principal` may do to the case now (`CasePolicy.available`): the buttons of the case page.
    func available(_ c: CaseModel, to principal: Principal, on db: any Database) async throws -> Set<CaseOperation> {
        let scope = try await Self.scope(of: c, for: principal, on: db)
        let definition = try await definition(c.guideVersionID, on: db)
        let facts = try await facts(c, definition: definition, calendar: try await calendar(on: db), on: db)
        return CasePolicy.available(for: principal.caseActor, on: scope, in: c.state, facts: facts)
    }

    func detail(_ c: CaseModel, for principal: Principal, on db: any Database) async throws -> CaseDetail {
        let calendar = try await calendar(on: db)
        let materials = try await CaseMaterialModel.query(on: db).filter(\.$caseID == c.id!).sort(\.$position).all()
        let events = try await CaseEventModel.query(on: db).filter(\.$caseID == c.id!).sort(\.$at).all()
        let documents = try await CaseDocumentModel.query(on: db).filter(\.$caseID == c.id!).sort(\.$createdAt).all()
        let tasks = try await CaseTaskModel.query(on: db).filter(\.$caseID == c.id!).all()
        let visits = try await CaseVisitModel.query(on: db).filter(\.$caseID == c.id!).sort(\.$at).all()
        let payment = try await PaymentModel.query(on: db).filter(\.$caseID == c.id!).first()
        let settled = PaymentSettlement.isSettled(feeFen: c.feeFen, orders: payment.map { [$0.state] } ?? [])
        let isOwner = principal.accountID == c.applicantID
        let formData = (try? JSONDecoder().decode([String: String].self, from: Data(c.formData.utf8))) ?? [:]
        return CaseDetail(
            summary: summary(c, calendar: calendar), applicantName: isOwner || principal.role.isStaff ? c.applicantName : Masking.name(c.applicantName),
            applicantIDMasked: c.applicantIDNumber.map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            applicantPhoneMasked: Masking.mask(c.applicantPhone, keepPrefix: 3, keepSuffix: 4),
            acceptanceNumber: c.acceptanceNumber,
            materials: materials.map { m in
                .init(id: m.id!, position: m.position, name: m.name, importanceName: m.importance == .primary ? "主要" : "次要", secondary: m.importance == .secondary,
                      status: m.status.rawValue, statusName: m.status.chineseName, missing: m.status == .missing,
                      fileURL: m.fileSHA.map { _ in SitePath.Cases.materialFile(c.id!, m.id!).link }, fileName: m.fileName, source: m.source)
            },
            events: events.map { .init(timeText: Self.dateText($0.at), title: $0.title, note: $0.note) },
            documents: documents.map { .init(id: $0.id!, title: $0.title, number: $0.number, url: SitePath.Cases.document(c.id!, $0.id!).link) },
            tasks: tasks.sorted { ($0.isLead ? 0 : 1, $0.departmentName) < ($1.isLead ? 0 : 1, $1.departmentName) }.map { t in
                .init(id: t.id!, departmentName: t.departmentName, stepName: t.stepName, isLead: t.isLead, state: t.state.rawValue,
                      stateName: t.state.chineseName, opinion: t.opinion, note: t.note,
                      done: t.state == .done, mine: t.departmentID == principal.departmentID && t.state != .done, version: t.version)
            },
            visits: visits.map { "\(Self.dateText($0.at)) \($0.reason)" }, trips: visits.count, tripsPromised: c.tripsPromised,
            tripsOver: TripCount.isOverPromise(visits: visits.count, promised: c.tripsPromised),
            payment: payment.map { .init(orderNumber: $0.orderNumber, amountText: FeeAmount.text(fen: $0.amountFen), paid: $0.state == .paid) },
            resultURL: c.resultSHA != nil && NextStep.resultServable(c.state) ? SitePath.Cases.result(c.id!).link : nil,
            deliveryName: c.deliveryMode.chineseName,
            deliveryDetail: c.deliveryDetail,
            toleranceDeadlineText: c.toleranceDeadline.map(Self.dayText),
            formData: formData,
            nextStep: NextStep.text(state: c.state, lastNoticeDay: Self.dayText(DeemedAcceptance.lastNoticeDay(receivedOn: c.receivedOn, calendar: calendar)),
                                    toleranceOpen: c.toleranceDeadline != nil,
                                    amountDue: settled || payment == nil ? nil : payment.map { FeeAmount.text(fen: $0.amountFen) }, delivery: c.deliveryMode))
    }

    /// What the public progress query shows: no ids, no contact data, the applicant's name masked by the views.
    struct PublicProgress: Sendable, Equatable {
        struct Step: Sendable, Equatable { var at: Date; var title: String }
        var number: String
        var itemName: String
        var state: CaseState
        var applicantName: String
        var steps: [Step]
    }

    /// Anyone may see a case's progress with its number and the last four characters of
    /// the applicant's ID number or phone; names are masked (R7.5).
    /// One statement, the case and its events joined, decoded into a plain struct: the public query is the
    /// hottest read (bench 4; through FluentKit's models it took 1.9 ms at p50, two statements and the
    /// reflection of 35 fields).
    func publicProgress(number: String, last4: String) async throws -> PublicProgress? {
        guard CaseNumber.isWellFormed(number) else { return nil }
        struct Row: Decodable {
            var number: String, itemName: String, state: CaseState, applicantName: String, applicantPhone: String, applicantIDNumber: String?
            var at: Date?, title: String?
            enum CodingKeys: String, CodingKey {
                case number, state, at, title
                case itemName = "item_name", applicantName = "applicant_name", applicantPhone = "applicant_phone", applicantIDNumber = "applicant_id_number"
            }
        }
        let rows = try await persistence.sql.raw("""
            SELECT c.number, c.item_name, c.state, c.applicant_name, c.applicant_phone, c.applicant_id_number, e.at, e.title
            FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.number = \(bind: number) ORDER BY e.at
            """).all(decoding: Row.self)
        guard let c = rows.first, CaseNumber.holderMatches(last4: last4, phone: c.applicantPhone, idNumber: c.applicantIDNumber) else { return nil }
        return PublicProgress(number: c.number, itemName: c.itemName, state: c.state, applicantName: c.applicantName,
                              steps: rows.compactMap { row in row.at.map { PublicProgress.Step(at: $0, title: row.title ?? "") } })
    }

    /// The clerk's queue: cases of the region waiting at the window, oldest first.
    func queue(for clerk: Principal) async throws -> [CaseSummary] {
        let db = persistence.db
        let calendar = try await calendar(on: db)
        var query = CaseModel.query(on: db)
            .filter(\.$state ~~ CasePolicy.deskStates)
        if let region = clerk.regionCode, RegionCode(region)?.level != .province { query = query.filter(\.$regionCode == region) }
        return try await query.sort(\.$receivedAt).limit(500).all().map { summary($0, calendar: calendar) }
    }

    /// A department's open tasks with their case clocks.
    func tasks(for staff: Principal) async throws -> [(task: CaseTaskModel, summary: CaseSummary)] {
        let db = persistence.db
        let calendar = try await calendar(on: db)
        guard let department = staff.departmentID else { return [] }
        let tasks = try await CaseTaskModel.query(on: db).filter(\.$departmentID == department).filter(\.$state != .done).all()
        var result: [(CaseTaskModel, CaseSummary)] = []
        for task in tasks {
            if let c = try await CaseModel.find(task.caseID, on: db) { result.append((task, summary(c, calendar: calendar))) }
        }
        // Cases of the department waiting for its head's decision.
        if staff.role == .staff(.departmentHead) {
            for c in try await CaseModel.query(on: db).filter(\.$departmentID == department).filter(\.$state == CasePolicy.awaitingDecision).all() {
                let all = try await CaseTaskModel.query(on: db).filter(\.$caseID == c.id!).all()
                if let lead = all.first(where: \.isLead) ?? all.first {
                    result.append((lead, summary(c, calendar: calendar)))
                }
            }
        }
        return result.sorted { $0.1.clock.used * 100 / max($0.1.clock.limit, 1) > $1.1.clock.used * 100 / max($1.1.clock.limit, 1) }
    }

    /// The applicant's own cases, newest first.
    func cases(of applicant: Principal) async throws -> [CaseSummary] {
        let db = persistence.db
        let calendar = try await calendar(on: db)
        return try await CaseModel.query(on: db).filter(\.$applicantID == applicant.accountID).sort(\.$receivedAt, .descending).limit(200).all()
            .map { summary($0, calendar: calendar) }
    }
}
