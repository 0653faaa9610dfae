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
    let guideCache = GuideCache<ItemDefinition>()
    let publishedGuides = GuideCache<PublishedGuide>()

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
        let result = try await CalendarStore.load(on: db)
        calendarCache.store(result)
        return result
    }

    // MARK: plumbing

    static func conflict(_ error: CaseError) -> AppError { AppError(.conflict, code: error.code, title: error.message) }

    /// The next number of a named sequence, inside the caller's transaction.
    static func nextNumber(_ name: String, on tx: any Database) async throws -> Int {
        let sql = tx.sql
        struct Row: Decodable { var value: Int }
        let row = try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: name), 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value")
            .first(decoding: Row.self)
        return row?.value ?? 1
    }

    /// A case event as a row, for a step that writes several at once.
    static func eventRow(_ c: CaseRow, _ action: String, _ title: String, note: String = "", actor: String, at: Date, random: any RandomSource) -> CaseEventRow {
        CaseEventRow(id: random.uuid(), caseID: c.id, at: at, actor: actor, action: action, title: title, note: note, stateAfter: c.state)
    }

    static func event(_ c: CaseRow, _ action: String, _ title: String, note: String = "", actor: String, at: Date, random: any RandomSource, on tx: any Database) async throws {
        try await eventRow(c, action, title, note: note, actor: actor, at: at, random: random).insert(on: tx.sql)
    }

    func event(_ c: CaseRow, _ action: String, _ title: String, note: String = "", actor: String, at: Date, on tx: any Database) async throws {
        try await Self.event(c, action, title, note: note, actor: actor, at: at, random: random, on: tx)
    }

    func eventRow(_ c: CaseRow, _ action: String, _ title: String, note: String = "", actor: String, at: Date) -> CaseEventRow {
        Self.eventRow(c, action, title, note: note, actor: actor, at: at, random: random)
    }

    @discardableResult
    func document(_ c: CaseRow, kind: CaseDocumentKind, content: CaseDocumentContent, at: Date, on tx: any Database) async throws -> CaseDocumentRow {
        let doc = CaseDocumentRow(id: random.uuid(), caseID: c.id, kind: kind, number: content.number, title: content.title,
                                  content: CaseDocumentContent.encode(content), createdAt: at)
        try await doc.insert(on: tx.sql)
        return doc
    }

    /// The next number of a document series for the case's region, this year (`DocumentNumber`).
    static func documentNumber(_ series: DocumentNumber.Series, _ c: CaseRow, on day: CalendarDate, on tx: any Database) async throws -> DocumentNumber {
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
    /// department staff, the only ones whose reach depends on them, and not at all when the
    /// caller already has them (`taskDepartments`, from `reading`).
    static func scope(of c: CaseRow, for actor: Principal, taskDepartments: Set<UUID>? = nil, on db: any Database) async throws -> CaseScope {
        var tasks: Set<UUID> = []
        if actor.role == .staff(.departmentReviewer) || actor.role == .staff(.departmentHead) {
            if let taskDepartments {
                tasks = taskDepartments
            } else {
                let rows = try await db.sql.select().column("department_id").from(CaseTaskRow.table).where("case_id", .equal, c.id).all()
                tasks = Set(try rows.map { try $0.decode(column: "department_id", as: UUID.self) })
            }
        }
        return CaseScope(regionCode: c.regionCode, applicantID: c.applicantID, leadDepartmentID: c.departmentID, taskDepartmentIDs: tasks)
    }

    /// Asks `CasePolicy` and maps its no to the answer: 404 where the asker must not learn
    /// that the case exists, 403 with the reason otherwise.
    static func authorize(_ operation: CaseOperation, _ actor: Principal, _ c: CaseRow, scope: CaseScope? = nil, on db: any Database) async throws {
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
        let db = persistence.db
        guard let c = try await CaseRow.find(change.caseID, on: db.sql) else { throw Self.caseNotFound }
        try await Self.authorize(operation, change.actor, c, on: db)
    }

    /// What a step's body is given: the calendar, the facts the policy was asked with, and
    /// the policy's answer (the case's state is already the answer's `next`).
    struct Step: Sendable {
        var calendar: WorkCalendar
        var definition: ItemDefinition
        var facts: CaseFacts
        var outcome: CaseOutcome
        /// Counts read with the facts, so a step needs not read its tasks or materials again.
        var openTasks: Int
        var missingMaterials: Int
    }

    /// Runs one change of a case: loads it, asks `CasePolicy` whether the actor may do
    /// `operation` to it now (`action` picks the machine step where there are several), checks
    /// the expected version, sets the state the policy answers, lets `body` do the rest, then
    /// saves it in one write only if nobody changed it meanwhile — exactly one of two
    /// concurrent writers wins.
    func change<T: Sendable>(_ change: Change, _ operation: CaseOperation, _ action: CaseAction? = nil, audit: String,
                             _ body: @escaping @Sendable (inout CaseRow, any Database, Step) async throws -> T) async throws -> T {
        try await run(change, operation, action, audit: audit, body).result
    }

    /// `change` for a step whose answer is the case as saved (its new version and due date).
    func changeCase(_ change: Change, _ operation: CaseOperation, _ action: CaseAction? = nil, audit: String,
                    _ body: @escaping @Sendable (inout CaseRow, any Database, Step) async throws -> Void) async throws -> CaseRow {
        try await run(change, operation, action, audit: audit, body).saved
    }

    /// A change the law makes by itself when a deadline passes (the jobs service), which no
    /// person asks for and so no policy rule covers.
    func lawfulChange<T: Sendable>(_ change: Change, audit action: String, _ body: @escaping @Sendable (inout CaseRow, any Database, Step) async throws -> T) async throws -> T {
        try await run(change, nil, nil, audit: action, body).result
    }

    private func run<T: Sendable>(_ change: Change, _ operation: CaseOperation?, _ action: CaseAction?, audit: String,
                                  _ body: @escaping @Sendable (inout CaseRow, any Database, Step) async throws -> T) async throws -> (result: T, saved: CaseRow) {
        let now = clock.now
        let day = today
        return try await persistence.transaction { tx in
            guard var c = try await CaseRow.find(change.caseID, on: tx.sql) else { throw Self.caseNotFound }
            let original = c
            let calendar = try await self.calendar(on: tx)
            let definition = try await self.definition(c.guideVersionID, on: tx)
            // Read before the policy is asked who may act: the task departments come with the facts.
            let reading = try await self.reading(c, definition: definition, calendar: calendar, on: tx)
            if let operation {
                let scope = try await Self.scope(of: c, for: change.actor, taskDepartments: reading.taskDepartments, on: tx)
                try await Self.authorize(operation, change.actor, c, scope: scope, on: tx)
            }
            if let expected = change.expectedVersion, expected != c.version {
                throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试")
            }
            let version = c.version
            var outcome = CaseOutcome(next: c.state)
            if let operation {
                do throws(CaseError) { outcome = try CasePolicy.permits(operation, action, in: c.state, facts: reading.facts) } catch { throw Self.conflict(error) }
            }
            c.state = outcome.next
            if outcome.clock.contains(.stop) { c.stoppedOn = day }
            let step = Step(calendar: calendar, definition: definition, facts: reading.facts, outcome: outcome,
                            openTasks: reading.openTasks, missingMaterials: reading.missingMaterials)
            let result = try await body(&c, tx, step)
            c.version = version + 1
            c.updatedAt = now
            c.dueOn = self.clock(for: c)?.deadline(calendar: calendar)
            try await Self.save(c, replacing: version, on: tx)
            try await KPICounters.apply(before: original, after: c, on: tx.sql)
            try await AuditLog.append(.init(actor: change.actor.auditName, action: audit, objectType: "case", objectID: c.number, address: change.address, detail: c.state.rawValue), at: now, on: tx)
            return (result, c)
        }
    }

    /// Writes every column a step may change, in one statement, if the row still has the
    /// version the step read; otherwise someone else changed it first (409).
    static func save(_ c: CaseRow, replacing version: Int, on tx: any Database) async throws {
        // Written as text once (the builder re-quoted thirteen column names on every step).
        let rows = try await tx.sql.raw("""
            UPDATE cases SET state = \(bind: c.state), accepted_at = \(bind: c.acceptedAt), clock_start = \(bind: c.clockStart), \
            acceptance_number = \(bind: c.acceptanceNumber), extension_days = \(bind: c.extensionDays), suspensions = \(bind: c.suspensions), \
            stopped_on = \(bind: c.stoppedOn), tolerance_deadline = \(bind: c.toleranceDeadline), delivery_detail = \(bind: c.deliveryDetail), \
            result_sha = \(bind: c.resultSHA), due_on = \(bind: c.dueOn), updated_at = \(bind: c.updatedAt), version = \(bind: c.version) \
            WHERE id = \(bind: c.id) AND version = \(bind: version) RETURNING id
            """).all()
        guard rows.count == 1 else { throw AppError(.conflict, code: "case.stale", title: "办件已被他人处理，请刷新后重试") }
    }

    /// What a transition reads of a case besides its row: the policy's facts, and the task
    /// departments and counts that the scope and the step would otherwise read again.
    struct Reading: Sendable {
        var facts: CaseFacts
        var taskDepartments: Set<UUID>
        var openTasks: Int
        var missingMaterials: Int
    }

    /// One statement for the materials, tasks and payment orders of the case, only the
    /// columns the policy needs (and the one-time notices when the fifth day has passed).
    func reading(_ c: CaseRow, definition: ItemDefinition, calendar: WorkCalendar, on tx: any Database) async throws -> Reading {
        let checkNotice = DeemedAcceptance.isDeemedAccepted(receivedOn: c.receivedOn, today: today, calendar: calendar)
        var query: SQLQueryString = """
            SELECT 'm' AS k, status AS a, importance AS b, NULL AS d FROM case_materials WHERE case_id = \(bind: c.id) \
            UNION ALL SELECT 't', state, NULL, department_id FROM case_tasks WHERE case_id = \(bind: c.id) \
            UNION ALL SELECT 'p', state, NULL, NULL FROM payments WHERE case_id = \(bind: c.id)
            """
        if checkNotice {
            query += " UNION ALL SELECT 'n', kind, NULL, NULL FROM case_documents WHERE case_id = \(bind: c.id) AND kind = \(bind: CaseDocumentKind.oneTimeNotice)"
        }
        var missing: [MaterialRequirement.Importance] = []
        var taskStates: [TaskState] = []
        var departments: Set<UUID> = []
        var orders: [PaymentState] = []
        var notices = 0
        for row in try await tx.sql.raw(query).all() {
            switch try row.decode(column: "k", as: String.self) {
            case "m":
                if try row.decode(column: "a", as: MaterialStatus.self) == .missing {
                    missing.append(try row.decode(column: "b", as: MaterialRequirement.Importance.self))
                }
            case "t":
                taskStates.append(try row.decode(column: "a", as: TaskState.self))
                departments.insert(try row.decode(column: "d", as: UUID.self))
            case "p": orders.append(try row.decode(column: "a", as: PaymentState.self))
            default: notices += 1
            }
        }
        let facts = Self.facts(c, missing: missing, taskStates: taskStates, orders: orders, noticeTooLate: checkNotice && notices == 0, definition: definition)
        return Reading(facts: facts, taskDepartments: departments, openTasks: taskStates.count(where: { $0 != .done }), missingMaterials: missing.count)
    }

    /// A step of the machine a service takes inside another step (the last review completing the review).
    static func follow(_ c: inout CaseRow, _ action: CaseAction, facts: CaseFacts) throws {
        do throws(CaseError) { c.state = try CasePolicy.follow(action, from: c.state, facts: facts) } catch { throw conflict(error) }
    }

    func clock(for c: CaseRow) -> LegalClock? { CaseSummaryRow(c).legalClock }

    static func suspensions(_ c: CaseRow) -> [Suspension] { suspensions(json: c.suspensions) }

    static func setSuspensions(_ c: inout CaseRow, _ suspensions: [Suspension]) {
        c.suspensions = String(decoding: (try? JSONEncoder().encode(suspensions)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

/// Guide definitions (and what a case takes from its guide) by version id, decoded once
/// (issue 11: decoding one 2–3 times per step was a measurable part of a step); a guide
/// version never changes once written. Bounded: emptied when full.
final class GuideCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [UUID: Value] = [:]
    let capacity = 1024

    subscript(id: UUID) -> Value? {
        get { lock.withLock { values[id] } }
        set {
            lock.withLock {
                if values.count >= capacity { values.removeAll(keepingCapacity: true) }
                values[id] = newValue
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
