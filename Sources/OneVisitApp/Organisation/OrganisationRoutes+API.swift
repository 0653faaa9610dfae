import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1`: the organisation, for other systems and apps.
extension OrganisationRoutes {
    typealias ReaderContext = RoleContext<Scopes.OrganisationRead>

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        let readers = api.group(context: ReaderContext.self)
        readers.get(SitePath.API.Organisation.overview.route) { try await organisation($0, $1, app: app) }
        readers.get(SitePath.API.Organisation.regions.route) { try await regions($0, $1, app: app) }
    }

    static func organisation(_ request: Request, _ context: ReaderContext, app: AppServices) async throws -> Components.Schemas.Organisation {
        try .init(try await overview(on: app.persistence.db))
    }

    static func regions(_ request: Request, _ context: ReaderContext, app: AppServices) async throws -> [Components.Schemas.Region] {
        try await overview(on: app.persistence.db).regions.map(Components.Schemas.Region.init)
    }
}
