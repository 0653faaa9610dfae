import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// Supervision's figures (R10.2 electronic monitoring, R11.3.4 efficiency indicators,
/// R11.3.5 violations): counted in the database with one grouped scan of the cases of a
/// region and period, so that the dashboard stays fast at a million cases.
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
        let today = cases.today.description
        // Every department of the region is listed, also those without cases (an empty row is a finding too).
        let departments = try await DepartmentModel.query(on: persistence.db).filter(\.$regionCode =~ region.subtreePrefix).all()
        guard !departments.isEmpty else {
            return Report(regionCode: region.value, from: period.from.description, to: period.to.description, asOf: today, total: Indicators(), departments: [])
        }
        // By department, not by region code: each department is one range of the covering index.
        let departmentList = SQLList(departments.map { SQLBind($0.id!) })
        let openList = SQLList(CasePolicy.openStates.map { SQLBind($0) })
        let runningList = SQLList(CasePolicy.runningStates.map { SQLBind($0) })
        let rows = try await sql.raw("""
            SELECT department_id,
              COUNT(*) AS received,
              SUM(CASE WHEN clock_start IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
              SUM(CASE WHEN clock_start = received_on THEN 1 ELSE 0 END) AS on_the_spot,
              SUM(CASE WHEN stopped_on IS NOT NULL THEN 1 ELSE 0 END) AS decided,
              SUM(CASE WHEN stopped_on IS NOT NULL AND due_on IS NOT NULL AND stopped_on <= due_on THEN 1 ELSE 0 END) AS on_time,
              SUM(CASE WHEN stopped_on IS NOT NULL AND channel = 'online' AND delivery_mode <> 'pickup' THEN 1 ELSE 0 END) AS online,
              SUM(CASE WHEN state IN (\(openList)) THEN 1 ELSE 0 END) AS open,
              SUM(CASE WHEN state IN (\(runningList)) AND stopped_on IS NULL AND due_on IS NOT NULL AND due_on < \(bind: today) THEN 1 ELSE 0 END) AS overdue
            FROM cases
            WHERE department_id IN (\(departmentList)) AND received_on >= \(bind: period.from.description) AND received_on <= \(bind: period.to.description)
            GROUP BY department_id
            """).all()
        // From the violations (few) to their cases by primary key. Without statistics SQLite's planner
        // walked the cases of the period instead and looked each one up in violations: 5 s at 1,000,000
        // cases for none. SQLite keeps the order of a CROSS JOIN; PostgreSQL plans with its statistics
        // (and has no ON for CROSS JOIN).
        let join = persistence.location.isSQLite ? "CROSS JOIN" : "JOIN"
        let violationRows = try await sql.raw("""
            SELECT c.department_id AS department_id, COUNT(*) AS n FROM violations v \(unsafeRaw: join) cases c ON c.id = v.case_id
            WHERE c.department_id IN (\(departmentList)) AND c.received_on >= \(bind: period.from.description) AND c.received_on <= \(bind: period.to.description)
            GROUP BY c.department_id
            """).all()
        var violations: [UUID: Int] = [:]
        for row in violationRows { violations[try row.decode(column: "department_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self) }
        var figures: [UUID: Indicators] = [:]
        for row in rows {
            func count(_ column: String) throws -> Int { try row.decode(column: column, as: Int?.self) ?? 0 }
            let id = try row.decode(column: "department_id", as: UUID.self)
            figures[id] = Indicators(received: try count("received"), accepted: try count("accepted"), acceptedOnTheSpot: try count("on_the_spot"),
                                     decided: try count("decided"), decidedOnTime: try count("on_time"), decidedOnline: try count("online"),
                                     open: try count("open"), overdue: try count("overdue"), violations: violations[id] ?? 0)
        }
        let rowsOut = departments.map { d in
            DepartmentFigures(departmentID: d.id!, departmentName: d.name, regionCode: d.regionCode, figures: figures[d.id!] ?? Indicators())
        }.sorted { ($0.figures.overdue, $0.figures.received, $1.regionCode, $1.departmentName) > ($1.figures.overdue, $1.figures.received, $0.regionCode, $0.departmentName) }
        return Report(regionCode: region.value, from: period.from.description, to: period.to.description, asOf: today,
                      total: rowsOut.reduce(Indicators()) { $0 + $1.figures }, departments: rowsOut)
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
        let db = persistence.db
        let calendar = try await cases.calendar(on: db)
        let today = cases.today
        var query = CaseModel.query(on: db).filter(\.$departmentID == department)
            .filter(\.$receivedOn >= period.from).filter(\.$receivedOn <= period.to)
        switch filter {
        case .overdue:
            query = query.filter(\.$state ~~ CasePolicy.runningStates).filter(\.$stoppedOn == nil)
                .filter(\.$dueOn != nil).filter(\.$dueOn < today)
        case .open:
            query = query.filter(\.$state ~~ CasePolicy.openStates)
        case .decided:
            query = query.filter(\.$stoppedOn != nil)
        case .late:
            query = query.filter(\.$stoppedOn != nil).filter(.sql(unsafeRaw: "stopped_on > due_on"))
        }
        return try await query.sort(\.$receivedAt).limit(500).all().map { cases.summary($0, calendar: calendar) }
    }
}
