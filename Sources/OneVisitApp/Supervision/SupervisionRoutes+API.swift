import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1`: supervision's indicators, for other systems and apps.
extension SupervisionRoutes {
    typealias SupervisorContext = RoleContext<Scopes.SupervisionRead>

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.group(context: SupervisorContext.self)
            .get(SitePath.API.Supervision.indicators.route) { try await indicators($0, $1, app: app) }
    }

    /// The indicators of the supervisor's region (or one inside it, `?region=`) for `?from=`–`?to=`.
    static func indicators(_ request: Request, _ context: SupervisorContext, app: AppServices) async throws -> Components.Schemas.SupervisionReport {
        let query = request.uri.queryParameters
        let period = try app.supervision.period(from: query.get("from"), to: query.get("to"))
        return .init(try await app.supervision.report(region: try region(request, principal: context.principal), period: period))
    }
}
