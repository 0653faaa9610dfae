import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1`: organisation for other systems and apps.
extension OrganisationRoutes {
    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.get("/organisation") { _, context -> Overview in
            _ = try context.requireStaff()
            return try await overview(on: app.persistence.db)
        }
        api.get("/organisation/regions") { _, context -> [RegionView] in
            _ = try context.requireStaff()
            return try await overview(on: app.persistence.db).regions
        }
    }
}
