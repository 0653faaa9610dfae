import Foundation
import OneVisitDomain
import SQLKit

/// The KPI counters per department, item and day of receipt (R11.3.4 at scale, issue 12 item 4):
/// every transition adds its case's `KPIContribution(after) − KPIContribution(before)` to the
/// case's bucket inside its own transaction, so the counters are exactly the sum over the cases
/// and the dashboard reads a few hundred rows instead of a million cases. `verify` recounts them
/// from the cases (`onevisit kpi-verify`).
enum KPICounters {
    static let table = "kpi_counters"

    /// One bucket of the counters.
    struct Bucket: Hashable, Sendable {
        var departmentID: UUID
        var itemCode: String
        var day: CalendarDate
    }

    /// A stored row of `kpi_counters`, and the shape of a recount from the cases.
    struct Row: TableRow {
        static let table = KPICounters.table
        var departmentID: UUID
        var itemCode: String
        var day: CalendarDate
        var received: Int
        var accepted: Int
        var onTheSpot: Int
        var decided: Int
        var onTime: Int
        var online: Int
        var open: Int
        /// R11.3.4 (a) 集中受理 (`AddAcceptanceVenue`); nil in a recount from before that column.
        var concentrated: Int?

        enum CodingKeys: String, CodingKey {
            case day, received, accepted, decided, online, open, concentrated
            case departmentID = "department_id", itemCode = "item_code", onTheSpot = "on_the_spot", onTime = "on_time"
        }

        var bucket: Bucket { Bucket(departmentID: departmentID, itemCode: itemCode, day: day) }
        var contribution: KPIContribution {
            KPIContribution(received: received, accepted: accepted, acceptedOnTheSpot: onTheSpot, decided: decided, decidedOnTime: onTime,
                            decidedOnline: online, open: open, acceptedConcentrated: concentrated ?? 0)
        }
    }

    /// The columns `AddKPICounters` created the table with (its first version; it still creates
    /// them from this list, so the list stays as it was).
    static let columns = ["received", "accepted", "on_the_spot", "decided", "on_time", "online", "open"]
    /// Every counted column, in the order of `KPIContribution`'s fields: `columns` and the
    /// 集中受理 count that `AddAcceptanceVenue` added (R11.3.4 a).
    static let counted = columns + ["concentrated"]

    static func bucket(_ c: CaseRow) -> Bucket { Bucket(departmentID: c.departmentID, itemCode: c.itemCode, day: c.receivedOn) }

    static func contribution(_ c: CaseRow) -> KPIContribution {
        KPIContribution(state: c.state, receivedOn: c.receivedOn, clockStart: c.clockStart, stoppedOn: c.stoppedOn, dueOn: c.dueOn,
                        channel: c.channel, delivery: c.deliveryMode, acceptedVia: c.acceptedVia)
    }

    /// Adds what the change from `before` (nil: a new case) to `after` changes in the counters, in
    /// the caller's transaction: one upsert, or none when no indicator moves. A case does not move
    /// between buckets today; if it ever did, its old bucket loses what the new one gains.
    static func apply(before: CaseRow?, after: CaseRow, on db: any SQLDatabase) async throws {
        let gained = contribution(after)
        if let before, bucket(before) != bucket(after) {
            try await add([(bucket(before), -contribution(before)), (bucket(after), gained)], on: db)
            return
        }
        let delta = gained - (before.map(contribution) ?? .zero)
        guard delta != .zero else { return }
        try await add([(bucket(after), delta)], on: db)
    }

    /// Adds each delta to its bucket (distinct buckets; a missing one is created): multi-row
    /// `INSERT … ON CONFLICT … DO UPDATE`, which SQLite (≥ 3.24) and PostgreSQL both take.
    static func add(_ deltas: [(Bucket, KPIContribution)], on db: any SQLDatabase) async throws {
        // 11 values a row: within SQLite's 32,766 bound values per statement.
        for start in stride(from: 0, to: deltas.count, by: 2000) {
            var values: [SQLQueryString] = []
            for (bucket, d) in deltas[start..<min(start + 2000, deltas.count)] {
                values.append("""
                    (\(bind: bucket.departmentID), \(bind: bucket.itemCode), \(bind: bucket.day), \(bind: d.received), \(bind: d.accepted), \
                    \(bind: d.acceptedOnTheSpot), \(bind: d.decided), \(bind: d.decidedOnTime), \(bind: d.decidedOnline), \(bind: d.open), \(bind: d.acceptedConcentrated))
                    """)
            }
            let sums = counted.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")
            try await db.raw("""
                INSERT INTO \(ident: table) (department_id, item_code, day, \(unsafeRaw: counted.joined(separator: ", "))) VALUES \
                \(values.joined(separator: ", ")) \
                ON CONFLICT (department_id, item_code, day) DO UPDATE SET \(unsafeRaw: sums)
                """).run()
        }
    }

    /// The counters recounted from the cases, with the definitions of `KPIContribution` in SQL
    /// (a unit test holds the two together through `verify`). Without `concentrated` while
    /// `AddKPICounters` runs, before `AddAcceptanceVenue` added `cases.accepted_via`.
    static func recount(concentrated: Bool = true) -> SQLQueryString {
        let openList = SQLList(CasePolicy.openStates.map { SQLBind($0) })
        let concentratedVenues = SQLList(AcceptanceVenue.allCases.filter(\.isConcentrated).map { SQLBind($0.rawValue) })
        let concentratedSum: SQLQueryString = concentrated ? """
            , SUM(CASE WHEN clock_start IS NOT NULL AND (channel = \(bind: CaseChannel.online) OR accepted_via IN (\(concentratedVenues))) THEN 1 ELSE 0 END) AS concentrated
            """ : ""

        return """
            SELECT department_id, item_code, received_on AS day,
              COUNT(*) AS received,
              SUM(CASE WHEN clock_start IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
              SUM(CASE WHEN clock_start = received_on THEN 1 ELSE 0 END) AS on_the_spot,
              SUM(CASE WHEN stopped_on IS NOT NULL THEN 1 ELSE 0 END) AS decided,
              SUM(CASE WHEN stopped_on IS NOT NULL AND due_on IS NOT NULL AND stopped_on <= due_on THEN 1 ELSE 0 END) AS on_time,
              SUM(CASE WHEN stopped_on IS NOT NULL AND channel = \(bind: CaseChannel.online) AND delivery_mode <> \(bind: ServiceTerms.Delivery.pickup) THEN 1 ELSE 0 END) AS online,
              SUM(CASE WHEN state IN (\(openList)) THEN 1 ELSE 0 END) AS open\(concentratedSum)
            FROM \(ident: CaseRow.table)
            GROUP BY department_id, item_code, received_on
            """
    }

    /// Replaces every counter by a recount from the cases (the migrations' back-fill). The
    /// table is read for the 集中受理 column first: `AddKPICounters` rebuilds before
    /// `AddAcceptanceVenue` has added it (and `cases.accepted_via`).
    static func rebuild(on db: any SQLDatabase) async throws {
        let full = try await hasConcentratedColumn(on: db)
        let names = (full ? counted : columns).joined(separator: ", ")
        try await db.delete(from: table).run()
        try await db.raw("INSERT INTO \(ident: table) (department_id, item_code, day, \(unsafeRaw: names)) " + recount(concentrated: full)).run()
    }

    /// Whether `kpi_counters` has the `concentrated` column yet (SQLite's table_info, PostgreSQL's
    /// information schema in the current schema).
    static func hasConcentratedColumn(on db: any SQLDatabase) async throws -> Bool {
        let query: SQLQueryString = db.dialect.name == "sqlite"
            ? "SELECT COUNT(*) AS n FROM pragma_table_info('\(unsafeRaw: table)') WHERE name = 'concentrated'"
            : "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(bind: table) AND column_name = 'concentrated'"
        return try await db.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0 > 0
    }

    /// The counters of `departments` summed over the days of `period`, by department.
    static func sums(departments: [UUID], from: CalendarDate, to: CalendarDate, on db: any SQLDatabase) async throws -> [UUID: KPIContribution] {
        guard !departments.isEmpty else { return [:] }
        // SUM of a BIGINT is a NUMERIC on PostgreSQL: cast back to decode as Int.
        let sums = counted.map { "CAST(SUM(\($0)) AS BIGINT) AS \($0)" }.joined(separator: ", ")
        let rows = try await db.raw("""
            SELECT department_id, \(unsafeRaw: sums) FROM \(ident: table)
            WHERE department_id IN (\(SQLList(departments.map { SQLBind($0) }))) AND day >= \(bind: from) AND day <= \(bind: to)
            GROUP BY department_id
            """).all()
        var result: [UUID: KPIContribution] = [:]
        for row in rows {
            func count(_ column: String) throws -> Int { try row.decode(column: column, as: Int?.self) ?? 0 }
            result[try row.decode(column: "department_id", as: UUID.self)] = KPIContribution(
                received: try count("received"), accepted: try count("accepted"), acceptedOnTheSpot: try count("on_the_spot"),
                decided: try count("decided"), decidedOnTime: try count("on_time"), decidedOnline: try count("online"), open: try count("open"),
                acceptedConcentrated: try count("concentrated"))
        }
        return result
    }

    /// Every bucket recounted from the cases and compared with the stored counters. A stored
    /// bucket of zeros without cases is no difference.
    static func verify(on db: any SQLDatabase) async throws -> (buckets: Int, differences: [KPIDifference]) {
        var counted: [Bucket: KPIContribution] = [:]
        for row in try await db.raw(recount()).all(decoding: Row.self) { counted[row.bucket] = row.contribution }
        var stored: [Bucket: KPIContribution] = [:]
        for row in try await Row.select(on: db).rows(Row.self) { stored[row.bucket] = row.contribution }
        var differences: [KPIDifference] = []
        for bucket in Set(counted.keys).union(stored.keys) {
            let expected = counted[bucket] ?? .zero, actual = stored[bucket] ?? .zero
            guard expected != actual else { continue }
            differences.append(KPIDifference(departmentID: bucket.departmentID, itemCode: bucket.itemCode, day: bucket.day.description,
                                             counted: expected, stored: actual))
        }
        differences.sort { ($0.departmentID.uuidString, $0.itemCode, $0.day) < ($1.departmentID.uuidString, $1.itemCode, $1.day) }
        return (Set(counted.keys).union(stored.keys).count, differences)
    }
}

/// A bucket whose stored counters differ from the recount of its cases.
public struct KPIDifference: Codable, Sendable, Equatable {
    public var departmentID: UUID
    public var itemCode: String
    public var day: String
    /// From the cases.
    public var counted: KPIContribution
    /// In `kpi_counters`.
    public var stored: KPIContribution

    /// One line of JSON with sorted keys.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "\(self)"
    }
}

/// `onevisit kpi-verify`: the kept counters against a recount from the cases.
public struct KPIVerifyReport: Sendable {
    public var buckets: Int
    public var differences: [KPIDifference]

    public static func run(on services: AppServices) async throws -> KPIVerifyReport {
        let (buckets, differences) = try await KPICounters.verify(on: services.persistence.sql)
        return KPIVerifyReport(buckets: buckets, differences: differences)
    }

    /// `kpi-verify: N buckets, M differences`.
    public var summary: String { "kpi-verify: \(buckets) buckets, \(differences.count) differences" }
}
