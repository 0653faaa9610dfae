import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1`: supervision for other systems and apps.
extension SupervisionRoutes {
    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.get("/supervision/kpis") { request, context -> SupervisionService.Report in
            try await report(request, context, app: app)
        }
    }
}
