import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain
import SQLKit

/// The audit trail for auditors: recent records and the chain check (R6.10, R7.1.6).
enum AuditRoutes {
    struct RecordView: ResponseEncodable, Sendable {
        var sequence: Int64
        var occurredAt: Date
        var occurredAtText: String
        var actor: String
        var action: String
        var objectType: String
        var objectID: String
        var address: String
        var detail: String
    }

    struct VerifyResult: ResponseEncodable, Sendable {
        var intact: Bool
        var checked: Int
        var firstBreak: String?
    }

    struct AuditPage {
        var layout: LayoutView
        var result: VerifyResult
        var records: [RecordView]
    }

    static let auditors: Set<Role> = [.staff(.auditor), .staff(.systemAdmin)]

    /// The newest records, applicants' logins masked (the list is for auditors, still a list).
    static func recent(on db: any Database, limit: Int = 100) async throws -> [RecordView] {
        try await AuditRecordRow.select(on: db.sql).orderBy("sequence", .descending).limit(limit).rows(AuditRecordRow.self).map { r in
            RecordView(sequence: r.sequence, occurredAt: r.occurredAt, occurredAtText: DisplayDate.second(r.occurredAt), actor: Masking.auditActor(r.actor),
                       action: r.action, objectType: r.objectType, objectID: r.objectID, address: r.address, detail: r.detail)
        }
    }

    static func verify(on db: any Database) async throws -> VerifyResult {
        let (checked, problem) = try await AuditLog.verify(on: db)
        return VerifyResult(intact: problem == nil, checked: checked, firstBreak: problem?.description)
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        router.group(context: RoleContext<Scopes.AuditRead>.self)
            .get(SitePath.Audit.trail.route) { request, context in try await auditPage(request, context: context, app: app) }
    }

    static func auditPage(_ request: Request, context: RoleContext<Scopes.AuditRead>, app: AppServices) async throws -> Response {
        let db = app.persistence.db
        return try app.renderer.page("audit", AuditPage(
            layout: context.layout("审计日志"), result: try await verify(on: db), records: try await recent(on: db)))
    }
}
