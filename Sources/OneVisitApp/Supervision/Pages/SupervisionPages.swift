import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The handlers of the supervisor's pages; `SupervisionRoutes.addPages` registers them.
struct SupervisionPages: Sendable {
    typealias Context = RoleContext<Scopes.SupervisionRead>
    let app: AppServices

    struct Row {
        /// The drill-down links behind the figures.
        struct Links { var decided: String; var open: String; var overdue: String }
        var departmentID: UUID
        var departmentName: String
        var regionName: String
        var figures: Indicators
        /// R11.3.4 (a) 集中受理率.
        var concentrated: String
        var onTheSpot: String
        var onTime: String
        var onTimeBar: Int
        var online: String
        var links: Links
    }

    struct DashboardPage {
        struct RegionOption { var code: String; var name: String; var selected: Bool }
        var layout: LayoutView
        var regionName: String
        var regions: [RegionOption]
        var from: String
        var to: String
        var asOf: String
        var total: Row
        var rows: [Row]
        var exportLink: String
        /// What 集中受理率 counts (`AcceptanceVenue.definition`).
        var concentratedDefinition: String
    }

    struct DrillPage {
        var layout: LayoutView
        var departmentName: String
        var filterName: String
        var from: String
        var to: String
        var cases: [LinkedRow<CaseSummary>]
        var count: Int
        var back: String
    }

    /// The query that keeps a page's region and period on the links it makes.
    static func scope(region: String, from: String, to: String) -> [(String, String)] {
        [("region", region), ("from", from), ("to", to)]
    }

    func regionNames() async throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: app.persistence.db).all().map { ($0.id!, $0.name) })
    }

    func dashboard(_ request: Request, context: Context) async throws -> Response {
        let report = try await SupervisionRoutes.report(request, principal: context.principal, app: app)
        let regions = try await RegionModel.query(on: app.persistence.db).sort(\.$id).all()
        let names = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
        let own = RegionCode(context.principal.regionCode ?? "")!
        let scope = Self.scope(region: report.regionCode, from: report.from, to: report.to)
        let page = DashboardPage(
            layout: context.layout("考核指标"), regionName: names[report.regionCode] ?? report.regionCode,
            regions: regions.compactMap { r in
                guard let code = RegionCode(r.id!), own.contains(code) else { return nil }
                return .init(code: code.value, name: String(repeating: "　", count: code.level == .province ? 0 : code.level == .city ? 1 : 2) + r.name, selected: code.value == report.regionCode)
            },
            from: report.from, to: report.to, asOf: report.asOf,
            total: Self.row(UUID(), "合计", names[report.regionCode] ?? report.regionCode, report.total, scope: scope),
            rows: report.departments.map { Self.row($0.departmentID, $0.departmentName, names[$0.regionCode] ?? $0.regionCode, $0.figures, scope: scope) },
            exportLink: SitePath.Supervision.export.link(query: scope), concentratedDefinition: AcceptanceVenue.definition)
        return try app.renderer.page("supervision", page)
    }

    static func row(_ id: UUID, _ name: String, _ regionName: String, _ f: Indicators, scope: [(String, String)]) -> Row {
        func drill(_ filter: SupervisionService.Filter) -> String {
            SitePath.Supervision.department(id).link(query: [("filter", filter.rawValue)] + scope)
        }
        return Row(
            departmentID: id, departmentName: name, regionName: regionName, figures: f, concentrated: Indicators.text(f.concentratedRate),
            onTheSpot: Indicators.text(f.onTheSpotRate), onTime: Indicators.text(f.onTimeRate),
            onTimeBar: (f.onTimeRate ?? 0) / 10, online: Indicators.text(f.onlineRate),
            links: .init(decided: drill(.decided), open: drill(.open), overdue: drill(.overdue)))
    }

    func export(_ request: Request, context: Context) async throws -> Response {
        let report = try await SupervisionRoutes.report(request, principal: context.principal, app: app)
        let names = try await regionNames()
        var csv = "\u{FEFF}区划,部门,收件,受理,集中受理,集中受理率,当场受理,当场受理率,办结,按时办结,按时办结率,网上办结,网上办结率,在办,超期未办结,违规\r\n"
        func line(_ region: String, _ name: String, _ f: Indicators) -> String {
            [region, name, "\(f.received)", "\(f.accepted)", "\(f.acceptedConcentrated)", Indicators.text(f.concentratedRate), "\(f.acceptedOnTheSpot)", Indicators.text(f.onTheSpotRate), "\(f.decided)",
             "\(f.decidedOnTime)", Indicators.text(f.onTimeRate), "\(f.decidedOnline)", Indicators.text(f.onlineRate), "\(f.open)", "\(f.overdue)", "\(f.violations)"]
                .map(SupervisionRoutes.csvField).joined(separator: ",") + "\r\n"
        }
        for d in report.departments { csv += line(names[d.regionCode] ?? d.regionCode, d.departmentName, d.figures) }
        csv += line(names[report.regionCode] ?? report.regionCode, "合计", report.total)
        let fileName = "考核指标-\(report.regionCode)-\(report.from)-\(report.to).csv"
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "kpi.csv"
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                               .contentDisposition: "attachment; filename=\"kpi-\(report.regionCode).csv\"; filename*=UTF-8''\(encoded)"],
                        body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    func department(_ request: Request, context: Context) async throws -> Response {
        guard let id = context.parameters.get("id", as: UUID.self), let department = try await DepartmentModel.find(id, on: app.persistence.db) else {
            throw AppError(.notFound, code: "supervision.department_not_found", title: "部门不存在")
        }
        guard let own = context.principal.regionCode.flatMap(RegionCode.init), let theirs = RegionCode(department.regionCode), own.contains(theirs) else {
            throw AppError.forbidden
        }
        let p = request.uri.queryParameters
        guard let filter = SupervisionService.Filter(rawValue: p.get("filter") ?? "overdue") else {
            throw AppError(.unprocessableContent, code: "supervision.bad_filter", title: "筛选条件应为 overdue、open、decided 或 late")
        }
        let period = try app.supervision.period(from: p.get("from"), to: p.get("to"))
        let cases = try await app.supervision.cases(department: id, filter: filter, period: period)
        return try app.renderer.page("supervision-cases", DrillPage(
            layout: context.layout("\(department.name) · \(filter.chineseName)"), departmentName: department.name, filterName: filter.chineseName,
            from: period.from.description, to: period.to.description, cases: cases.map { LinkedRow($0, link: SitePath.Cases.detail($0.id)) },
            count: cases.count,
            back: SitePath.Supervision.dashboard.link(query: Self.scope(region: department.regionCode, from: period.from.description, to: period.to.description))))
    }
}
