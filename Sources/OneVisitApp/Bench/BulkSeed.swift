import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// Bulk cases for the query benchmarks (issue 5, bench 4): `count` cases spread over this year
/// on every published guide, in every state a year of work leaves, each with its events, by
/// multi-row inserts in batches of 1,000 cases per transaction (one audit record per batch); the KPI
/// counters of the new cases are added at the end (`KPICounters`), so the dashboard reads real counters.
/// Benchmark data only: it never runs in `serve`. Its case numbers have the real shape, but their
/// seven characters are "Z" and a scrambled sequence number, so they never collide (random ones did:
/// at 1,000,000 cases over one region's year, two cases drew the same number).
public enum BulkSeed {
    public struct Sample: Codable, Sendable {
        public var number: String
        public var last4: String
        public var applicant: String
    }

    public struct Report: Sendable {
        public var cases: Int
        public var events: Int
        public var applicants: Int
        /// Seconds of the whole seed, of which `indexSeconds` building the indexes after the rows.
        public var seconds: Double
        public var indexSeconds: Double = 0
        public var samples: [Sample]
    }

    /// A small, fast, seeded generator (SplitMix64), so two runs seed the same data.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Guide {
        var version: GuideVersionModel
        var departmentID: UUID
        var regionCode: String
        var legalLimit: Int
        var promisedLimit: Int
        var feeFen: Int
        var trips: Int
    }

    static let caseColumns = ["id", "number", "item_code", "item_name", "implementation_id", "guide_version_id", "region_code", "department_id",
                              "applicant_id", "applicant_name", "applicant_id_number", "applicant_phone", "channel", "state", "received_at", "received_on",
                              "accepted_at", "clock_start", "acceptance_number", "legal_limit", "promised_limit", "extension_days", "suspensions",
                              "stopped_on", "tolerance_deadline", "fee_fen", "trips_promised", "delivery_mode", "delivery_detail", "form_data",
                              "result_sha", "version", "updated_at", "due_on"]
    static let eventColumns = ["id", "case_id", "at", "actor", "action", "title", "note", "state_after"]
    static let accountColumns = ["id", "login_name", "password_hash", "role", "display_name", "applicant_type", "id_number", "phone",
                                 "failed_logins", "created_at", "version"]

    /// The indexes on the two big tables, dropped for the load and built again after it (a sorted build
    /// is several times faster than a million random inserts into each).
    static var deferredIndexes: [(name: String, table: String, columns: [String])] {
        AddCaseIndexes.indexes.filter { [CaseRow.table, CaseEventRow.table].contains($0.table) }
    }

    public static func run(services: AppServices, count: Int, seed: UInt64 = 20261129, status: @escaping @Sendable (String) -> Void = { _ in },
                           progress: @escaping @Sendable (Int) -> Void) async throws -> Report {
        // The writer's connection: the settings below are per connection, and the load's transactions run on it.
        let sql = services.persistence.writeSQL
        // A bulk load, not a service. On SQLite: a page cache that holds the growing indexes (with the
        // default 2 MB, pages spilled mid-transaction and were read back: half the seed's time at 30,000
        // cases), statement journals in memory (temp_store 2), a checkpoint every 64 MB of WAL instead of
        // every 4 MB. Commits stay synchronous=FULL. The writer has one connection, so these apply to
        // every write below; they are set back to what they were afterwards, also on an error, and the
        // indexes are built again.
        let tuning: [(name: String, value: Int)] = [("cache_size", -524_288), ("temp_store", 2), ("wal_autocheckpoint", 16_384)]
        let tuned = services.config.database.isSQLite ? tuning : []
        var before: [(name: String, value: Int)] = []
        for (name, value) in tuned {
            guard let row = try await sql.raw("PRAGMA \(unsafeRaw: name)").first() else { continue }
            before.append((name, try row.decode(column: name, as: Int.self)))
            try await sql.raw("PRAGMA \(unsafeRaw: name)=\(literal: value)").run()
        }
        for index in deferredIndexes { try await sql.drop(index: index.name).ifExists().run() }
        try await sql.drop(index: AddKPICounters.runningIndex.name).ifExists().run()
        let finish = {
            status("建立索引（\(deferredIndexes.count + 1) 个）…")
            let started = ContinuousClock.now
            for index in deferredIndexes { try await AddCaseIndexes.create(index, on: sql) }
            try await AddKPICounters.createRunningIndex(on: sql)
            for (name, value) in before { try await sql.raw("PRAGMA \(unsafeRaw: name)=\(literal: value)").run() }
            return ContinuousClock.now - started
        }
        do {
            var report = try await load(services: services, count: count, seed: seed, progress: progress)
            report.indexSeconds = try await finish().inSeconds
            report.seconds += report.indexSeconds
            return report
        } catch {
            _ = try? await finish()
            // The batches that committed have no counters yet (they are added at the end): count them all again.
            status("重新计数考核指标…")
            try? await services.persistence.transaction { tx in try await KPICounters.rebuild(on: tx.sql) }
            throw error
        }
    }

    /// Ids in insertion order, laid out like a UUIDv7 (RFC 9562) but with a 60-bit counter where v7 has
    /// milliseconds (so version 8, "custom"): the first 48 bits, then 4 after the version nibble and 8 more;
    /// random after the variant bits. A million rows then append to the primary-key indexes instead of
    /// landing on random pages of them. Real cases keep random UUIDs.
    struct OrderedIDs {
        var counter: UInt64
        var rng: SplitMix
        mutating func next() -> UUID {
            counter += 1
            let c = counter, r = rng.next()
            func byte(_ value: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: value >> shift) }
            return UUID(uuid: (byte(c, 52), byte(c, 44), byte(c, 36), byte(c, 28), byte(c, 20), byte(c, 12),
                               0x80 | (byte(c, 8) & 0x0F), byte(c, 0),
                               0x80 | (byte(r, 0) & 0x3F), byte(r, 8), byte(r, 16), byte(r, 24), byte(r, 32), byte(r, 40), byte(r, 48), byte(r, 56)))
        }
    }

    /// Six characters of Crockford base 32 for `sequence` below 32⁶ = 2³⁰, scrambled by an odd
    /// multiplier modulo 2³⁰ (a bijection: distinct sequences give distinct characters).
    static func scrambled(_ sequence: Int) -> String {
        var value = (UInt64(sequence) &* 0x9E37_79B1) & ((1 << 30) - 1)
        var characters = [Character](repeating: "0", count: 6)
        for k in (0..<6).reversed() {
            characters[k] = CaseNumber.alphabet[Int(value & 31)]
            value >>= 5
        }
        return String(characters)
    }

    static func load(services: AppServices, count: Int, seed: UInt64, progress: @escaping @Sendable (Int) -> Void) async throws -> Report {
        let db = services.persistence.db
        let started = ContinuousClock.now
        let calendar = try await services.workCalendar()
        let today = services.cases.today
        var guides: [Guide] = []
        for version in try await GuideVersionModel.query(on: db).filter(\.$state == GuideState.published.rawValue).sort(\.$itemCode).sort(\.$regionCode).all() {
            guard let implementation = try await ImplementationModel.find(version.implementationID, on: db) else { continue }
            let definition = try CatalogService.decode(version.definition)
            guides.append(Guide(version: version, departmentID: implementation.departmentID, regionCode: implementation.regionCode,
                                legalLimit: definition.terms.legalLimit, promisedLimit: definition.attributes.promisedLimit,
                                feeFen: (try? FeeSchedule.charge(definition.attributes.fees, condition: FeeSchedule.conditions(definition.attributes.fees).first).totalFen) ?? 0,
                                trips: definition.terms.trips))
        }
        guard !guides.isEmpty else { throw AppError(.notFound, code: "bench.no_guides", title: "没有已发布的办事指南，请先运行 onevisit seed --demo") }
        guard let demo = try await AccountRow.select(on: db.sql).where("login_name", .equal, "13800000001").limit(1).row(AccountRow.self) else {
            throw AppError(.notFound, code: "bench.applicant", title: "缺少演示申请人，请先运行 onevisit seed --demo")
        }
        let hash = demo.passwordHash
        var rng = SplitMix(state: seed)
        let now = services.clock.now
        let firstDay = CalendarDate(year: today.year, month: 1, day: 5)!
        let span = max(1, firstDay.days(to: today))

        // Applicants: one per ten cases, persons with valid ID numbers (GB 11643) and mobiles.
        struct Applicant { var id: UUID; var name: String; var idNumber: String; var phone: String }
        var applicants = [Applicant(id: demo.id, name: demo.displayName, idNumber: demo.idNumber ?? "", phone: demo.phone ?? demo.loginName)]
        let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"), given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")
        let applicantCount = max(1, count / 10)
        var accountRows: [[any Encodable & Sendable]] = []
        // Numbered after the accounts already there, so a second seed makes new ID numbers and phones.
        let accountsBefore = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(AccountRow.table)
            .first()?.decode(column: "n", as: Int.self) ?? 0
        for n in 0..<applicantCount {
            let i = accountsBefore + n
            let birth = CalendarDate(year: 1960, month: 1, day: 1)!.adding(days: (i / 1000) % 16000)
            let first17 = "410102" + String(format: "%04d%02d%02d", birth.year, birth.month, birth.day) + String(format: "%03d", i % 1000)
            let idNumber = first17 + String(ResidentID.checkCharacter(for: first17)!)
            let phone = "139" + String(format: "%08d", i)
            let name = String(surnames[i % surnames.count]) + String(given[(i / surnames.count) % given.count]) + String(given[(i / 7) % given.count])
            let id = UUID()
            applicants.append(Applicant(id: id, name: name, idNumber: idNumber, phone: phone))
            accountRows.append([id, phone, hash, Role.applicant.code, name, "person", idNumber, phone, 0, now, 1])
        }
        for chunk in stride(from: 0, to: accountRows.count, by: 5000) {
            let rows = Array(accountRows[chunk..<min(chunk + 5000, accountRows.count)])
            try await services.persistence.transaction { tx in
                try await insert(into: "accounts", columns: accountColumns, rows: rows, on: tx)
            }
        }

        var samples: [Sample] = []
        var events = 0
        let batch = 1000
        var pending: Task<Void, any Error>?
        // Sequence numbers continue after the cases already there, so a second seed appends.
        let base = try await services.persistence.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(CaseRow.table)
            .first()?.decode(column: "n", as: Int.self) ?? 0
        // What the new cases add to the KPI counters, kept here and written once at the end (one upsert
        // per bucket rather than one per case; the definitions are the transitions' own, `KPIContribution`).
        var counters: [KPICounters.Bucket: KPIContribution] = [:]
        guard base + count <= 1 << 30 else { throw AppError(.unprocessableContent, code: "bench.too_many", title: "办件总数超过基准数据的编号范围（2³⁰）") }
        // Milliseconds since 1970 × 65,536: above every id an earlier seed into this database used
        // (a 1,000,000-case seed uses about 6,000,000, i.e. 92 ms of it) and well inside 60 bits.
        var ids = OrderedIDs(counter: UInt64(Date().timeIntervalSince1970 * 1000) << 16, rng: SplitMix(state: seed ^ 0x5EED))
        for start in stride(from: 0, to: count, by: batch) {
            var caseRows: [[any Encodable & Sendable]] = []
            var eventRows: [[any Encodable & Sendable]] = []
            for i in start..<min(start + batch, count) {
                let guide = guides[Int(rng.next() % UInt64(guides.count))]
                // Received 9:00–12:00; notices, refusals and withdrawals that afternoon; accepted at 12:30 on
                // the day the clock starts, reviewed 14:00–15:00, decided 16:00, delivered 17:00: in order.
                // The demo applicant has 40 cases, the others about ten each.
                let applicant = i < 40 ? applicants[0] : applicants[1 + Int(rng.next() % UInt64(applicantCount))]
                let received = firstDay.adding(days: Int(rng.next() % UInt64(span)))
                let receivedAt = date(received, seconds: 9 * 3600 + Int(rng.next() % 10800))
                let old = received.days(to: today) > 60
                let roll = Int(rng.next() % 100)
                let state: CaseState = old
                    ? (roll < 80 ? .delivered : roll < 88 ? .rejected : roll < 92 ? .approved : roll < 95 ? .withdrawn : roll < 98 ? .notAccepted : .reportedUp)
                    : (roll < 20 ? .received : roll < 25 ? .awaitingCorrection : roll < 60 ? .underReview : roll < 70 ? .reviewed
                        : roll < 90 ? .delivered : roll < 95 ? .approved : .rejected)
                let accepted = ![.received, .awaitingCorrection, .withdrawn, .notAccepted].contains(state)
                let clockStart = accepted ? (rng.next() % 10 < 7 ? received : calendar.addWorkdays(received, 1 + Int(rng.next() % 3))) : nil
                let limit = guide.promisedLimit
                let due = clockStart.flatMap { LegalClock(start: $0, limit: limit).deadline(calendar: calendar) }
                let decided = [.approved, .rejected, .delivered, .reportedUp].contains(state)
                var stopped: CalendarDate?
                if decided, let clockStart {
                    // nine in ten within the limit, the rest up to five working days late
                    let days = rng.next() % 10 < 9 ? Int(rng.next() % UInt64(max(limit, 0) + 1)) : limit + 1 + Int(rng.next() % 5)
                    stopped = min(calendar.addWorkdays(clockStart, days), today)
                }
                let sequence = base + i
                let number = CaseNumber.make(region: guide.regionCode, on: received, suffix: "Z\(scrambled(sequence))")
                let online = rng.next() % 10 < 7
                let delivery = online ? (rng.next() % 2 == 0 ? "download" : "post") : "pickup"
                let id = ids.next()
                let channel: CaseChannel = online ? .online : .walkIn
                let bucket = KPICounters.Bucket(departmentID: guide.departmentID, itemCode: guide.version.itemCode, day: received)
                counters[bucket] = counters[bucket, default: .zero] + KPIContribution(state: state, receivedOn: received, clockStart: clockStart, stoppedOn: stopped, dueOn: due, channel: channel,
                                      delivery: ServiceTerms.Delivery(rawValue: delivery) ?? .pickup)
                let lastAt = date(stopped ?? clockStart ?? received, seconds: state == .delivered ? 17 * 3600 : 16 * 3600)
                caseRows.append([
                    id, number, guide.version.itemCode, guide.version.itemName, guide.version.implementationID, guide.version.id!, guide.regionCode,
                    guide.departmentID, applicant.id, applicant.name, applicant.idNumber, applicant.phone, channel.rawValue, state.rawValue,
                    receivedAt, received.description, clockStart.map { date($0, seconds: 12 * 3600 + 1800) }, clockStart?.description,
                    clockStart.map { "\(guide.regionCode)SL\($0.year)Z\(String(format: "%09d", sequence))" }, guide.legalLimit, limit, 0, "[]",
                    stopped?.description, String?.none, guide.feeFen, guide.trips, delivery, delivery == "post" ? "河南省郑州市金水区花园路 1 号" : nil, "{}",
                    String?.none, 1 + (accepted ? 1 : 0) + (decided ? 4 : 0), lastAt, due?.description,
                ])
                var steps: [(Date, String, String, String, CaseState)] = [(receivedAt, "applicant:\(applicant.phone)", "submit", "提交申请", .received)]
                switch state {
                case .awaitingCorrection: steps.append((date(received, seconds: 13 * 3600), "staff:clerk", "notice", "一次性告知补正材料", .awaitingCorrection))
                case .withdrawn: steps.append((date(received, seconds: 14 * 3600), "applicant:\(applicant.phone)", "withdraw", "申请人撤回申请", .withdrawn))
                case .notAccepted: steps.append((date(received, seconds: 13 * 3600), "staff:clerk", "refuse", "不予受理", .notAccepted))
                default: break
                }
                if let clockStart {
                    steps.append((date(clockStart, seconds: 12 * 3600 + 1800), "staff:clerk", "accept", "受理", .underReview))
                    if state != .underReview {
                        steps.append((date(clockStart, seconds: 14 * 3600), "staff:reviewer", "review", "部门审查通过", .underReview))
                        steps.append((date(clockStart, seconds: 15 * 3600), "staff:reviewer", "reviewed", "审查完毕", .reviewed))
                    }
                    if let stopped {
                        let title = state == .rejected ? "作出不予许可决定" : state == .reportedUp ? "报上级机关决定" : "作出准予许可决定"
                        steps.append((date(stopped, seconds: 16 * 3600), "staff:head", "decide", title, state == .delivered ? .approved : state))
                        if state == .delivered { steps.append((date(stopped, seconds: 17 * 3600), "applicant:\(applicant.phone)", "deliver", "送达办理结果", .delivered)) }
                    }
                }
                for step in steps {
                    eventRows.append([ids.next(), id, step.0, step.1, step.2, step.3, "", step.4.rawValue])
                }
                if samples.count < 2000 || rng.next() % UInt64(i + 1) < 2000 {
                    let sample = Sample(number: number, last4: String(applicant.idNumber.suffix(4)), applicant: applicant.phone)
                    if samples.count < 2000 { samples.append(sample) } else { samples[Int(rng.next() % 2000)] = sample }
                }
            }
            events += eventRows.count
            let done = caseRows.count, batchNumber = start / batch
            let cases = caseRows, eventsOfBatch = eventRows
            // Inserts run on SQLite's thread while this task makes the next batch: wait for the previous
            // batch first, so the batches (and their audit records' chain) stay in order.
            try await pending?.value
            pending = Task {
                try await services.persistence.transaction { tx in
                    try await insert(into: CaseRow.table, columns: caseColumns, rows: cases, on: tx)
                    try await insert(into: CaseEventRow.table, columns: eventColumns, rows: eventsOfBatch, on: tx)
                    try await AuditLog.append(.init(actor: "system:bench", action: "bench.seed", objectType: "case", objectID: "batch-\(batchNumber)",
                                                    address: "local", detail: "\(done) cases"), at: now, on: tx)
                }
                progress(done)
            }
        }
        try await pending?.value
        let deltas = Array(counters)
        try await services.persistence.transaction { tx in try await KPICounters.add(deltas, on: tx.sql) }
        return Report(cases: count, events: events, applicants: applicantCount, seconds: (ContinuousClock.now - started).inSeconds, samples: samples)
    }

    /// `seconds` after midnight of `day` in China time (UTC+8, no daylight saving since 1991). By day
    /// count, not Foundation's Calendar: this runs six times per case.
    static func date(_ day: CalendarDate, seconds: Int) -> Date {
        Date(timeIntervalSince1970: TimeInterval(epoch.days(to: day) * 86400 - 8 * 3600 + seconds))
    }

    static let epoch = CalendarDate(year: 1970, month: 1, day: 1)!

    /// Multi-row INSERTs of at most ~30,000 bound values each (SQLite's limit is 32,766; PostgreSQL's 65,535).
    static func insert(into table: String, columns: [String], rows: [[any Encodable & Sendable]], on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let perStatement = max(1, 30_000 / columns.count)
        for chunk in stride(from: 0, to: rows.count, by: perStatement) {
            var insert = sql.insert(into: table).columns(columns)
            for row in rows[chunk..<min(chunk + perStatement, rows.count)] { insert = insert.values(row) }
            try await insert.run()
        }
    }
}
