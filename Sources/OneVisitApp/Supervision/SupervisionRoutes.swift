import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

extension SupervisionService.Report: ResponseEncodable {}

/// The supervisor's indicator dashboard (R10.2, R11.3.4, R11.3.5): a table per department with
/// drill-down to the cases behind a figure, a CSV export, and `/api/v1/supervision/kpis`.
enum SupervisionRoutes {
    static let readers: Set<Role> = [.staff(.supervisor)]

    struct Row {
        var departmentID: UUID
        var departmentName: String
        var regionName: String
        var figures: Indicators
        var onTheSpot: String
        var onTime: String
        var onTimeBar: Int
        var online: String
        var query: String
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
        var query: String
    }

    struct DrillPage {
        var layout: LayoutView
        var departmentName: String
        var filterName: String
        var from: String
        var to: String
        var cases: [CaseSummary]
        var count: Int
        var back: String
    }

    /// The region asked for, which must be the supervisor's own or inside it.
    static func region(_ request: Request, principal: Principal) throws -> RegionCode {
        guard let own = principal.regionCode.flatMap(RegionCode.init) else { throw AppError.forbidden }
        guard let raw = request.uri.queryParameters.get("region"), !raw.isEmpty else { return own }
        guard let asked = RegionCode(raw) else {
            throw AppError(.unprocessableContent, code: "supervision.bad_region", title: "行政区划代码应为 6 位数字")
        }
        guard own.contains(asked) else { throw AppError.forbidden }
        return asked
    }

    static func report(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> SupervisionService.Report {
        let principal = try context.require(readers)
        let p = request.uri.queryParameters
        let period = try app.supervision.period(from: p.get("from"), to: p.get("to"))
        return try await app.supervision.report(region: try region(request, principal: principal), period: period)
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        router.get("/supervision") { request, context in
            let report = try await report(request, context, app: app)
            let principal = try context.require(readers)
            let regions = try await RegionModel.query(on: app.persistence.db).sort(\.$id).all()
            let names = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
            let own = RegionCode(principal.regionCode ?? "")!
            let query = "region=\(report.regionCode)&from=\(report.from)&to=\(report.to)"
            func row(_ id: UUID, _ name: String, _ region: String, _ f: Indicators) -> Row {
                Row(departmentID: id, departmentName: name, regionName: names[region] ?? region, figures: f,
                    onTheSpot: Indicators.text(f.onTheSpotRate), onTime: Indicators.text(f.onTimeRate),
                    onTimeBar: (f.onTimeRate ?? 0) / 10, online: Indicators.text(f.onlineRate), query: query)
            }
            let page = DashboardPage(
                layout: context.layout("考核指标"), regionName: names[report.regionCode] ?? report.regionCode,
                regions: regions.compactMap { r in
                    guard let code = RegionCode(r.id!), own.contains(code) else { return nil }
                    return .init(code: code.value, name: String(repeating: "　", count: code.level == .province ? 0 : code.level == .city ? 1 : 2) + r.name, selected: code.value == report.regionCode)
                },
                from: report.from, to: report.to, asOf: report.asOf,
                total: row(UUID(), "合计", report.regionCode, report.total),
                rows: report.departments.map { row($0.departmentID, $0.departmentName, $0.regionCode, $0.figures) },
                query: query)
            return try app.renderer.page("supervision", page)
        }

        router.get("/supervision.csv") { request, context -> Response in
            let report = try await report(request, context, app: app)
            let regions = try await RegionModel.query(on: app.persistence.db).all()
            let names = Dictionary(uniqueKeysWithValues: regions.map { ($0.id!, $0.name) })
            var csv = "\u{FEFF}区划,部门,收件,受理,当场受理,当场受理率,办结,按时办结,按时办结率,网上办结,网上办结率,在办,超期未办结,违规\r\n"
            func line(_ region: String, _ name: String, _ f: Indicators) -> String {
                [region, name, "\(f.received)", "\(f.accepted)", "\(f.acceptedOnTheSpot)", Indicators.text(f.onTheSpotRate), "\(f.decided)",
                 "\(f.decidedOnTime)", Indicators.text(f.onTimeRate), "\(f.decidedOnline)", Indicators.text(f.onlineRate), "\(f.open)", "\(f.overdue)", "\(f.violations)"]
                    .map(csvField).joined(separator: ",") + "\r\n"
            }
            for d in report.departments { csv += line(names[d.regionCode] ?? d.regionCode, d.departmentName, d.figures) }
            csv += line(names[report.regionCode] ?? report.regionCode, "合计", report.total)
            let fileName = "考核指标-\(report.regionCode)-\(report.from)-\(report.to).csv"
            let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "kpi.csv"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"kpi-\(report.regionCode).csv\"; filename*=UTF-8''\(encoded)"],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        }

        router.get("/supervision/departments/:id") { request, context in
            let principal = try context.require(readers)
            guard let id = context.parameters.get("id", as: UUID.self), let department = try await DepartmentModel.find(id, on: app.persistence.db) else {
                throw AppError(.notFound, code: "supervision.department_not_found", title: "部门不存在")
            }
            guard let own = principal.regionCode.flatMap(RegionCode.init), let theirs = RegionCode(department.regionCode), own.contains(theirs) else {
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
                from: period.from.description, to: period.to.description, cases: cases, count: cases.count,
                back: "/supervision?region=\(department.regionCode)&from=\(period.from)&to=\(period.to)"))
        }
    }

    /// RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
