import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The public portal home (R3.6 one network): what the platform offers and where the halls are.
enum PortalRoutes {
    struct CentreView {
        var name: String
        var regionName: String
        var address: String
        var phone: String
        var hours: String
        var comprehensiveWindows: Int
    }

    struct PortalPage {
        var layout: LayoutView
        var centres: [CentreView]
        var departmentCount: Int
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        router.get(SitePath.Site.portal.route) { request, context in try await portalPage(request, context: context, app: app) }
    }

    static func portalPage(_ request: Request, context: AppRequestContext, app: AppServices) async throws -> Response {
        let db = app.persistence.db
        let regions = Dictionary(uniqueKeysWithValues: try await RegionModel.query(on: db).all().map { ($0.id!, $0.name) })
        let windows = try await WindowModel.query(on: db).filter(\.$kind == "comprehensive").all()
        let centres = try await ServiceCentreModel.query(on: db).sort(\.$regionCode).all().map { centre in
            CentreView(
                name: centre.name, regionName: regions[centre.regionCode] ?? centre.regionCode, address: centre.address,
                phone: centre.phone, hours: centre.hours,
                comprehensiveWindows: windows.filter { $0.centreID == centre.id }.count)
        }
        let departmentCount = try await DepartmentModel.query(on: db).count()
        return try app.renderer.page("portal", PortalPage(layout: context.layout("首页"), centres: centres, departmentCount: departmentCount))
    }
}
