import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1`: audit for other systems and apps.
extension AuditRoutes {
    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.get("/audit/records") { _, context -> [RecordView] in
            _ = try context.require(auditors)
            return try await recent(on: app.persistence.db)
        }
        api.get("/audit/verify") { _, context -> VerifyResult in
            _ = try context.require(auditors)
            return try await verify(on: app.persistence.db)
        }
    }
}
