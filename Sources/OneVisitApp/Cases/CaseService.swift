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
    /// Renders the result document handed to the applicant.
    let documents: any DocumentRenderer
    /// Every row id, case number, payment order number and secret the case makes.
    let random: any RandomSource
    /// Checks the payment platform's callbacks; nil: no gateway is configured and every callback is refused.
    let gateway: (any PaymentGateway)?
    let calendarCache = CalendarCache()
    let guideCache = GuideCache()

    init(persistence: Persistence, clock: any AppClock, random: any RandomSource, blobs: any FileStore, documents: any DocumentRenderer, gateway: (any PaymentGateway)?) {
        self.persistence = persistence
        self.clock = clock
        self.random = random
        self.blobs = blobs
        self.documents = documents
        self.gateway = gateway
    }

    static let chinaTime = DisplayDate.chinaTime

    var today: CalendarDate { CalendarDate(date: clock.now, timeZone: Self.chinaTime) }

    /// The guide a case was applied under, decoded once per guide version (a version's
    /// definition never changes once written).
    func definition(_ versionID: UUID, on db: any Database) async throws -> ItemDefinition {
        if let cached = guideCache[versionID] { return cached }
        guard let version = try await GuideVersionModel.find(versionID, on: db) else { throw AppError.notFound }
        let definition = try CatalogService.decode(version.definition)
        guideCache[versionID] = definition
        return definition
    }

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

    static func event(_ c: CaseModel, _ action: String, _ title: String, note: String = "", actor: String, at: Date, random: any RandomSource, on tx: any Database) async throws {
        let event = CaseEventModel()
        event.id = random.uuid()
        event.caseID = c.id!
        event.at = at
        event.actor = actor
        event.action = action
        event.title = title
        event.note = note
        event.stateAfter = c.state
        try await event.create(on: tx)
    }

    func event(_ c: CaseModel, _ action: String, _ title: String, note: String = "", actor: String, at: Date, on tx: any Database) async throws {
        try await Self.event(c, action, title, note: note, actor: actor, at: at, random: random, on: tx)
    }

    @discardableResult
    func document(_ c: CaseModel, kind: CaseDocumentKind, content: CaseDocumentContent, at: Date, on tx: any Database) async throws -> CaseDocumentModel {
        let doc = CaseDocumentModel()
        doc.id = random.uuid()
        doc.caseID = c.id!
        doc.kind = kind
        doc.number = content.number
        doc.title = content.title
        doc.content = CaseDocumentContent.encode(content)
        doc.createdAt = at
        try await doc.create(on: tx)
        return doc
    }

    /// The next number of a document series for the case's region, this year (`DocumentNumber`).
    static func documentNumber(_ series: DocumentNumber.Series, _ c: CaseModel, on day: CalendarDate, on tx: any Database) async throws -> DocumentNumber {
        let sequence = try await nextNumber(DocumentNumber.counter(series, region: c.regionCode, year: day.year), on: tx)
        return DocumentNumber(series: series, region: c.regionCode, year: day.year, sequence: sequence)
    }

    static func dateText(_ date: Date) -> String { DisplayDate.minute(date) }

    static func dayText(_ day: CalendarDate) -> String { CaseNotices.dayText(day) }

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

    /// What a step's body is given: the calendar, the facts the policy was asked with, and
    /// the policy's answer (the case's state is already the answer's `next`).
    struct Step: Sendable {
        var calendar: WorkCalendar
        var definition: ItemDefinition
        var facts: CaseFacts
        var outcome: CaseOutcome
    }

    /// Runs one change of a case: loads it, asks `CasePolicy` whether the actor may do
    /// `operation` to it now (`action` picks the machine step where there are several), checks
    /// the expected version, sets the state the policy answers, lets `body` do the rest, then
    /// saves it in one write only if nobody changed it meanwhile — exactly one of two
    /// concurrent writers wins.
    func change<T: Sendable>(_ change: Change, _ operation: CaseOperation, _ action: CaseAction? = nil, audit: String,
                             _ body: @escaping @Sendable (CaseModel, any Database, Step) async throws -> T) async throws -> T {
        try await run(change, operation, action, audit: audit, body)
    }

    /// A change the law makes by itself when a deadline passes (the jobs service), which no
    /// person asks for and so no policy rule covers.
    func lawfulChange<T: Sendable>(_ change: Change, audit action: String, _ body: @escaping @Sendable (CaseModel, any Database, Step) async throws -> T) async throws -> T {
        try await run(change, nil, nil, audit: action, body)
    }

    private func run<T: Sendable>(_ change: Change, _ operation: CaseOperation?, _ action: CaseAction?, audit: String,
                                  _ body: @escaping @Sendable (CaseModel, any Database, Step) async throws -> T) async throws -> T {
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            guard let c = try await CaseModel.find(change.caseID, on: tx) else { throw Self.caseNotFound }
            if let operation { try await Self.authorize(operation, change.actor, c, on: tx) }
            if let expected = change.expectedVersion, expected != c.version {
                throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试")
            }
            let version = c.version
            let calendar = try await self.calendar(on: tx)
            let definition = try await self.definition(c.guideVersionID, on: tx)
            let facts = try await self.facts(c, definition: definition, calendar: calendar, on: tx)
            var outcome = CaseOutcome(next: c.state)
            if let operation {
                do throws(CaseError) { outcome = try CasePolicy.permits(operation, action, in: c.state, facts: facts) } catch { throw Self.conflict(error) }
            }
            c.state = outcome.next
            if outcome.clock.contains(.stop) { c.stoppedOn = day }
            let result = try await body(c, tx, Step(calendar: calendar, definition: definition, facts: facts, outcome: outcome))
            c.version = version + 1
            c.updatedAt = now
            c.dueOn = self.clock(for: c)?.deadline(calendar: calendar)
            try await Self.save(c, replacing: version, on: tx)
            try await AuditLog.append(.init(actor: change.actor.auditName, action: audit, objectType: "case", objectID: c.number, address: change.address, detail: c.state.rawValue), at: now, on: tx)
            return result
        }
    }

    /// Writes every column a step may change, in one statement, if the row still has the
    /// version the step read; otherwise someone else changed it first (409).
    static func save(_ c: CaseModel, replacing version: Int, on tx: any Database) async throws {
        let rows = try await (tx as! any SQLDatabase).update(CaseModel.schema)
            .set("state", to: c.state)
            .set("accepted_at", to: c.acceptedAt)
            .set("clock_start", to: c.clockStart)
            .set("acceptance_number", to: c.acceptanceNumber)
            .set("extension_days", to: c.extensionDays)
            .set("suspensions", to: c.suspensions)
            .set("stopped_on", to: c.stoppedOn)
            .set("tolerance_deadline", to: c.toleranceDeadline)
            .set("delivery_detail", to: c.deliveryDetail)
            .set("result_sha", to: c.resultSHA)
            .set("due_on", to: c.dueOn)
            .set("updated_at", to: c.updatedAt)
            .set("version", to: c.version)
            .where("id", .equal, c.id!).where("version", .equal, version)
            .returning("id").all()
        guard rows.count == 1 else { throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试") }
    }

    /// The facts `CasePolicy` decides on, read inside the step's transaction.
    func facts(_ c: CaseModel, definition: ItemDefinition, calendar: WorkCalendar, on tx: any Database) async throws -> CaseFacts {
        let materials = try await CaseMaterialModel.query(on: tx).filter(\.$caseID == c.id!).all()
        let missing = materials.filter { $0.status == .missing }
        let tasks = try await CaseTaskModel.query(on: tx).filter(\.$caseID == c.id!).all()
        let orders = try await PaymentModel.query(on: tx).filter(\.$caseID == c.id!).all().map(\.state)
        var noticeTooLate = false
        if DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: today, calendar: calendar) {
            noticeTooLate = try await CaseDocumentModel.query(on: tx).filter(\.$caseID == c.id!).filter(\.$kind == .oneTimeNotice).count() == 0
        }
        return CaseFacts(
            allReviewsDone: !tasks.isEmpty && tasks.allSatisfy { $0.state == .done },
            supplementOutstanding: c.toleranceDeadline != nil && !missing.isEmpty,
            paymentOutstanding: !PaymentSettlement.isSettled(feeFen: c.feeFen, orders: orders),
            decidedAbove: definition.attributes.process.decisionLevel == .reportUp,
            onlySecondaryMissing: !missing.isEmpty && missing.allSatisfy { $0.importance == .secondary },
            complete: missing.isEmpty,
            immediate: definition.terms.immediate,
            toleranceOpen: c.toleranceDeadline != nil,
            clockSuspended: Self.suspensions(c).contains(where: \.isOpen),
            paymentPending: PaymentSettlement.hasPendingOrder(orders),
            extensionDays: c.extensionDays,
            deliveryMode: c.deliveryMode,
            noticeTooLate: noticeTooLate)
    }

    /// A step of the machine a service takes inside another step (the last review completing the review).
    static func follow(_ c: CaseModel, _ action: CaseAction, facts: CaseFacts) throws {
        do throws(CaseError) { c.state = try CasePolicy.follow(action, from: c.state, facts: facts) } catch { throw conflict(error) }
    }

    func clock(for c: CaseModel) -> LegalClock? {
        guard let start = c.clockStart else { return nil }
        return LegalClock(start: start, limit: c.promisedLimit + c.extensionDays, suspensions: Self.suspensions(c), stoppedOn: c.stoppedOn)
    }

    static func suspensions(_ c: CaseModel) -> [Suspension] {
        (try? JSONDecoder().decode([Suspension].self, from: Data(c.suspensions.utf8))) ?? []
    }

    static func setSuspensions(_ c: CaseModel, _ suspensions: [Suspension]) {
        c.suspensions = String(decoding: (try? JSONEncoder().encode(suspensions)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

/// Guide definitions by version id, decoded once (issue 11: decoding one 2–3 times per step
/// was a measurable part of a step). Bounded: emptied when full.
final class GuideCache: @unchecked Sendable {
    private let lock = NSLock()
    private var definitions: [UUID: ItemDefinition] = [:]
    let capacity = 1024

    subscript(id: UUID) -> ItemDefinition? {
        get { lock.withLock { definitions[id] } }
        set {
            lock.withLock {
                if definitions.count >= capacity { definitions.removeAll(keepingCapacity: true) }
                definitions[id] = newValue
            }
        }
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
