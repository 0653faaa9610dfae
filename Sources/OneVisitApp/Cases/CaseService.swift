import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// The case from application to delivery (R6.3–R6.7, R7.3–R7.5, R8.2–R8.7). Every change
/// is one transaction holding the change, its case event, its documents and its audit
/// record; a change against a stale version, or a second of two concurrent ones, is a 409.
public struct CaseService: Sendable {
    let persistence: Persistence
    let clock: any AppClock
    let blobs: any FileStore
    /// The gateway's callback secret; nil: no gateway is configured and every callback is refused.
    let paymentSecret: String?
    let calendarCache = CalendarCache()

    static let chinaTime = DisplayDate.chinaTime

    var today: CalendarDate { CalendarDate(date: clock.now, timeZone: Self.chinaTime) }

    // MARK: calendar

    /// The work calendar stored as data; the official schedules when none is stored. Read
    /// through `calendarCache`: reloading ~200 rows on every change cost a fifth of the CPU
    /// of a case step (bench/RESULTS.md).
    func calendar(on db: any Database) async throws -> WorkCalendar {
        if let cached = calendarCache.value { return cached }
        struct Row: Decodable { var day: String; var kind: String; var year: Int }
        let rows = try await (db as! any SQLDatabase).select().columns("day", "kind", "year").from(CalendarDayModel.schema).all(decoding: Row.self)
        var calendar = WorkCalendar()
        for row in rows {
            guard let date = CalendarDate(iso8601: row.day) else { continue }
            calendar.years.insert(row.year)
            if row.kind == "holiday" { calendar.holidays.insert(date) } else { calendar.adjustedWorkdays.insert(date) }
        }
        let result = rows.isEmpty ? WorkCalendar.official : calendar
        calendarCache.store(result)
        return result
    }

    // MARK: plumbing

    static func conflict(_ error: CaseError) -> AppError { AppError(.conflict, code: error.code, title: error.message) }

    /// The next number of a named sequence, inside the caller's transaction.
    static func nextNumber(_ name: String, on tx: any Database) async throws -> Int {
        let sql = tx as! any SQLDatabase
        struct Row: Decodable { var value: Int }
        let row = try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: name), 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value")
            .first(decoding: Row.self)
        return row?.value ?? 1
    }

    static func event(_ c: CaseModel, _ action: String, _ title: String, note: String = "", actor: String, at: Date, on tx: any Database) async throws {
        let event = CaseEventModel()
        event.caseID = c.id!
        event.at = at
        event.actor = actor
        event.action = action
        event.title = title
        event.note = note
        event.stateAfter = c.state
        try await event.create(on: tx)
    }

    @discardableResult
    static func document(_ c: CaseModel, kind: CaseDocumentContent.Kind, content: CaseDocumentContent, at: Date, on tx: any Database) async throws -> CaseDocumentModel {
        let doc = CaseDocumentModel()
        doc.id = UUID()
        doc.caseID = c.id!
        doc.kind = kind.rawValue
        doc.number = content.number
        doc.title = content.title
        doc.content = CaseDocumentContent.encode(content)
        doc.createdAt = at
        try await doc.create(on: tx)
        return doc
    }

    static func dateText(_ date: Date) -> String { DisplayDate.minute(date) }

    static func dayText(_ day: CalendarDate) -> String { "\(day.year)年\(day.month)月\(day.day)日" }

    struct Change: Sendable {
        var caseID: UUID
        var expectedVersion: Int?
        var actor: Principal
        var address: String
    }

    /// What of `c` decides who may touch it; the task departments are read only for
    /// department staff, the only ones whose reach depends on them.
    static func scope(of c: CaseModel, for actor: Principal, on db: any Database) async throws -> CaseScope {
        var tasks: Set<UUID> = []
        if actor.role == .staff(.departmentReviewer) || actor.role == .staff(.departmentHead) {
            tasks = Set(try await CaseTaskModel.query(on: db).filter(\.$caseID == c.id!).all().map(\.departmentID))
        }
        return CaseScope(regionCode: c.regionCode, applicantID: c.applicantID, leadDepartmentID: c.departmentID, taskDepartmentIDs: tasks)
    }

    /// Asks `CasePolicy` and maps its no to the answer: 404 where the asker must not learn
    /// that the case exists, 403 with the reason otherwise.
    static func authorize(_ operation: CaseOperation, _ actor: Principal, _ c: CaseModel, scope: CaseScope? = nil, on db: any Database) async throws {
        let scope = if let scope { scope } else { try await Self.scope(of: c, for: actor, on: db) }
        do {
            try CasePolicy.check(operation, by: actor.caseActor, on: scope)
        } catch {
            throw error.hidesCase ? caseNotFound : AppError(.forbidden, code: error.code, title: error.message)
        }
    }

    static let caseNotFound = AppError(.notFound, code: "case.not_found", title: "办件不存在")

    /// The policy's answer before anything is written (an upload is stored only for
    /// someone who may make the step); the step asks again inside its transaction.
    func authorize(_ operation: CaseOperation, _ change: Change) async throws {
        guard let c = try await CaseModel.find(change.caseID, on: persistence.db) else { throw Self.caseNotFound }
        try await Self.authorize(operation, change.actor, c, on: persistence.db)
    }

    /// Runs one change of a case: loads it, asks `CasePolicy` whether the actor may do
    /// `operation` to it, checks the expected version, lets `body` change it, then saves it
    /// only if nobody changed it meanwhile — exactly one of two concurrent writers wins.
    func change<T: Sendable>(_ change: Change, _ operation: CaseOperation, audit action: String, _ body: @escaping @Sendable (CaseModel, any Database, WorkCalendar) async throws -> T) async throws -> T {
        try await run(change, operation, audit: action, body)
    }

    /// A change the law makes by itself when a deadline passes (the jobs service), which no
    /// person asks for and so no policy rule covers.
    func lawfulChange<T: Sendable>(_ change: Change, audit action: String, _ body: @escaping @Sendable (CaseModel, any Database, WorkCalendar) async throws -> T) async throws -> T {
        try await run(change, nil, audit: action, body)
    }

    private func run<T: Sendable>(_ change: Change, _ operation: CaseOperation?, audit action: String, _ body: @escaping @Sendable (CaseModel, any Database, WorkCalendar) async throws -> T) async throws -> T {
        let now = clock.now
        return try await persistence.transaction { tx in
            guard let c = try await CaseModel.find(change.caseID, on: tx) else { throw Self.caseNotFound }
            if let operation { try await Self.authorize(operation, change.actor, c, on: tx) }
            if let expected = change.expectedVersion, expected != c.version {
                throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试")
            }
            let version = c.version
            let calendar = try await self.calendar(on: tx)
            let result = try await body(c, tx, calendar)
            let sql = tx as! any SQLDatabase
            let rows = try await sql.update(CaseModel.schema).set("version", to: version + 1)
                .where("id", .equal, change.caseID).where("version", .equal, version).returning("id").all()
            guard rows.count == 1 else { throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试") }
            c.version = version + 1
            c.updatedAt = now
            c.dueOn = self.clock(for: c)?.deadline(calendar: calendar)?.description
            try await c.update(on: tx)
            try await AuditLog.append(.init(actor: change.actor.auditName, action: action, objectType: "case", objectID: c.number, address: change.address, detail: c.state), at: now, on: tx)
            return result
        }
    }

    static func facts(_ c: CaseModel, on tx: any Database) async throws -> CaseFacts {
        let materials = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).all()
        let missing = materials.filter { $0.status == "missing" }
        let tasks = try await CaseTaskModel.query(on: tx).filter(\.$caseID == c.id!).all()
        let paid = try await PaymentModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$state == "paid").count() > 0
        let definition = try CatalogService.decode(try await GuideVersionModel.find(c.guideVersionID, on: tx)!.definition)
        return CaseFacts(
            allReviewsDone: !tasks.isEmpty && tasks.allSatisfy { $0.state == "done" },
            supplementOutstanding: c.toleranceDeadline != nil && !missing.isEmpty,
            paymentOutstanding: c.feeFen > 0 && !paid,
            decidedAbove: definition.attributes.process.decisionLevel == .reportUp,
            onlySecondaryMissing: !missing.isEmpty && missing.allSatisfy { $0.importance == "secondary" },
            complete: missing.isEmpty)
    }

    static func transition(_ c: CaseModel, _ action: CaseAction, on tx: any Database) async throws {
        let facts = try await facts(c, on: tx)
        do {
            c.state = try CaseMachine.apply(action, to: CaseState(rawValue: c.state)!, facts: facts).rawValue
        } catch {
            throw conflict(error)
        }
    }

    func clock(for c: CaseModel) -> LegalClock? {
        guard let start = c.clockStart.flatMap(CalendarDate.init(iso8601:)) else { return nil }
        return LegalClock(start: start, limit: c.promisedLimit + c.extensionDays, suspensions: Self.suspensions(c),
                          stoppedOn: c.stoppedOn.flatMap(CalendarDate.init(iso8601:)))
    }

    static func suspensions(_ c: CaseModel) -> [Suspension] {
        (try? JSONDecoder().decode([Suspension].self, from: Data(c.suspensions.utf8))) ?? []
    }

    static func setSuspensions(_ c: CaseModel, _ suspensions: [Suspension]) {
        c.suspensions = String(decoding: (try? JSONEncoder().encode(suspensions)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

/// The work calendar as last read. It changes only by `onevisit calendar import`, which
/// clears this process's copy; other instances see an import within `lifetime`.
final class CalendarCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: (calendar: WorkCalendar, at: ContinuousClock.Instant)?
    let lifetime: Duration = .seconds(60)

    var value: WorkCalendar? {
        lock.withLock {
            guard let cached, ContinuousClock.now - cached.at < lifetime else { return nil }
            return cached.calendar
        }
    }

    func store(_ calendar: WorkCalendar) { lock.withLock { cached = (calendar, ContinuousClock.now) } }
    func clear() { lock.withLock { cached = nil } }
}
