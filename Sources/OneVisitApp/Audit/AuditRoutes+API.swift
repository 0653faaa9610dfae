import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1`: the audit trail, for other systems and apps.
extension AuditRoutes {
    typealias AuditorContext = RoleContext<Scopes.AuditRead>

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        let auditors = api.group(context: AuditorContext.self)
        auditors.get(SitePath.API.Audit.records.route) { try await records($0, $1, app: app) }
        auditors.get(SitePath.API.Audit.verify.route) { try await verifyTrail($0, $1, app: app) }
    }

    static func records(_ request: Request, _ context: AuditorContext, app: AppServices) async throws -> [Components.Schemas.AuditRecord] {
        try await recent(on: app.persistence.db).map(Components.Schemas.AuditRecord.init)
    }

    static func verifyTrail(_ request: Request, _ context: AuditorContext, app: AppServices) async throws -> Components.Schemas.AuditVerification {
        .init(try await verify(on: app.persistence.db))
    }
}
