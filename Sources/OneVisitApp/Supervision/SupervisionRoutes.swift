import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

extension SupervisionService.Report: ResponseEncodable {}

/// The supervisor's indicator dashboard (R10.2, R11.3.4, R11.3.5): a table per department with
/// drill-down to the cases behind a figure, a CSV export, and `/api/v1/supervision/kpis`.
enum SupervisionRoutes {
    static let readers: Set<Role> = [.staff(.supervisor)]

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
        try await report(request, principal: try context.require(readers), app: app)
    }

    /// The report of the region and period the query asks for.
    static func report(_ request: Request, principal: Principal, app: AppServices) async throws -> SupervisionService.Report {
        let p = request.uri.queryParameters
        let period = try app.supervision.period(from: p.get("from"), to: p.get("to"))
        return try await app.supervision.report(region: try region(request, principal: principal), period: period)
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let pages = SupervisionPages(app: app)
        router.group(context: SupervisionPages.Context.self)
            .get(SitePath.Supervision.dashboard.route, use: pages.dashboard)
            .get(SitePath.Supervision.export.route, use: pages.export)
            .get(SitePath.route(SitePath.Supervision.department), use: pages.department)
    }

    /// RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
