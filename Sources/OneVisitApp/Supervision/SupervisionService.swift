import FluentKit
import FluentSQL
import SQLKit
import Foundation
import OneVisitDomain

/// Supervision's figures (R10.2 electronic monitoring, R11.3.4 efficiency indicators,
/// R11.3.5 violations): summed from the counters kept per department, item and day
/// (`KPICounters`), overdue from the running cases only, so that the dashboard stays fast at a
/// million cases.
struct SupervisionService: Sendable {
    let persistence: Persistence
    let cases: CaseService

    struct Period: Sendable, Equatable {
        var from: CalendarDate
        var to: CalendarDate
    }

    struct DepartmentFigures: Codable, Sendable {
        var departmentID: UUID
        var departmentName: String
        var regionCode: String
        var figures: Indicators
    }

    struct Report: Codable, Sendable {
        var regionCode: String
        var from: String
        var to: String
        var asOf: String
        var total: Indicators
        var departments: [DepartmentFigures]
    }

    /// The period from `from`/`to` (YYYY-MM-DD); by default 1 January of this year to today.
    func period(from: String?, to: String?) throws -> Period {
        let today = cases.today
        func day(_ raw: String?, _ name: String, _ fallback: CalendarDate) throws -> CalendarDate {
            guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return fallback }
            guard let day = CalendarDate(iso8601: raw) else {
                throw AppError(.unprocessableContent, code: "supervision.bad_date", title: "日期格式应为 YYYY-MM-DD：\(name)")
            }
            return day
        }
        let period = Period(from: try day(from, "起始日期", CalendarDate(year: today.year, month: 1, day: 1)!), to: try day(to, "截止日期", today))
        guard period.from <= period.to else {
            throw AppError(.unprocessableContent, code: "supervision.bad_period", title: "起始日期不能晚于截止日期")
        }
        return period
    }

    /// Indicators per department of `region` (and the regions inside it) for applications
    /// received in `period`; overdue is counted as of today.
    func report(region: RegionCode, period: Period) async throws -> Report {
        let sql = persistence.sql
        let today = cases.today
        // Every department of the region is listed, also those without cases (an empty row is a finding too).
        let departments = try await DepartmentModel.query(on: persistence.db).filter(\.$regionCode =~ region.subtreePrefix).all()
        guard !departments.isEmpty else {
            return Report(regionCode: region.value, from: period.from.description, to: period.to.description, asOf: today.description, total: Indicators(), departments: [])
        }
        let ids = departments.map { $0.id! }
        // The kept counters (issue 12): a few rows per department and day instead of every case of the period.
        let counted = try await KPICounters.sums(departments: ids, from: period.from, to: period.to, on: sql)
        let overdue = try await overdueCounts(departments: ids, period: period, today: today)
        let violations = try await violationCounts(departments: ids, period: period)
        let rowsOut = departments.map { d in
            let id = d.id!
            let figures = (counted[id] ?? .zero).indicators(overdue: overdue[id] ?? 0, violations: violations[id] ?? 0)
            return DepartmentFigures(departmentID: id, departmentName: d.name, regionCode: d.regionCode, figures: figures)
        }.sorted { ($0.figures.overdue, $0.figures.received, $1.regionCode, $1.departmentName) > ($1.figures.overdue, $1.figures.received, $0.regionCode, $0.departmentName) }
        return Report(regionCode: region.value, from: period.from.description, to: period.to.description, asOf: today.description,
                      total: rowsOut.reduce(Indicators()) { $0 + $1.figures }, departments: rowsOut)
    }

    /// Overdue as of `today` (R10.3 b): running, not stopped, past the last day. It changes with the
    /// date, not with a transition, so it is not kept in the counters: counted from the running cases
    /// through their partial index (`AddKPICounters.runningIndex`), whose predicate the WHERE repeats.
    /// Without statistics SQLite's planner would rather walk the period's range of the supervision
    /// index (every case of the period, the scan the counters replace): it is told which index to use.
    private func overdueCounts(departments: [UUID], period: Period, today: CalendarDate) async throws -> [UUID: Int] {
        let index = AddKPICounters.runningIndex
        let indexed: SQLQueryString = persistence.location.isSQLite ? "INDEXED BY \(ident: index.name)" : ""
        let rows = try await persistence.sql.raw("""
            SELECT department_id, COUNT(*) AS n FROM cases \(indexed)
            WHERE \(unsafeRaw: index.predicate)
              AND state IN (\(SQLList(CasePolicy.runningStates.map { SQLBind($0) }))) AND due_on < \(bind: today)
              AND department_id IN (\(SQLList(departments.map { SQLBind($0) })))
              AND received_on >= \(bind: period.from) AND received_on <= \(bind: period.to)
            GROUP BY department_id
            """).all()
        return try Self.counts(rows)
    }

    /// Recorded violations (R11.3.5) of the period's cases, by department.
    private func violationCounts(departments: [UUID], period: Period) async throws -> [UUID: Int] {
        // From the violations (few) to their cases by primary key. Without statistics SQLite's planner
        // walked the cases of the period instead and looked each one up in violations: 5 s at 1,000,000
        // cases for none. SQLite keeps the order of a CROSS JOIN; PostgreSQL plans with its statistics
        // (and has no ON for CROSS JOIN).
        let join = persistence.location.isSQLite ? "CROSS JOIN" : "JOIN"
        let rows = try await persistence.sql.raw("""
            SELECT c.department_id AS department_id, COUNT(*) AS n FROM violations v \(unsafeRaw: join) cases c ON c.id = v.case_id
            WHERE c.department_id IN (\(SQLList(departments.map { SQLBind($0) }))) AND c.received_on >= \(bind: period.from) AND c.received_on <= \(bind: period.to)
            GROUP BY c.department_id
            """).all()
        return try Self.counts(rows)
    }

    private static func counts(_ rows: [any SQLRow]) throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for row in rows { counts[try row.decode(column: "department_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        return counts
    }

    /// Drill-down: a department's cases behind one figure, oldest first (at most 500).
    enum Filter: String, CaseIterable, Sendable {
        case overdue, open, decided, late
        var chineseName: String {
            switch self {
            case .overdue: "超期未办结"
            case .open: "在办"
            case .decided: "已办结"
            case .late: "超期办结"
            }
        }
    }

    func cases(department: UUID, filter: Filter, period: Period) async throws -> [CaseSummary] {
        let calendar = try await cases.calendar(on: persistence.db)
        let today = cases.today
        let null = SQLLiteral.null
        // The list columns only (`CaseSummaryRow`), as every case list.
        var query = CaseSummaryRow.select(on: persistence.sql).where("department_id", .equal, department)
            .where("received_on", .greaterThanOrEqual, period.from).where("received_on", .lessThanOrEqual, period.to)
        switch filter {
        case .overdue:
            query = query.where(SQLColumn("state"), .in, SQLBind.group(CasePolicy.runningStates)).where(SQLColumn("stopped_on"), .is, null)
                .where(SQLColumn("due_on"), .isNot, null).where("due_on", .lessThan, today)
        case .open:
            query = query.where(SQLColumn("state"), .in, SQLBind.group(CasePolicy.openStates))
        case .decided:
            query = query.where(SQLColumn("stopped_on"), .isNot, null)
        case .late:
            query = query.where(SQLColumn("stopped_on"), .isNot, null).where(SQLRaw("stopped_on > due_on"))
        }
        return try await query.orderBy("received_at").limit(500).all(decoding: CaseSummaryRow.self).map { cases.summary($0, calendar: calendar) }
    }
}
