import Foundation
import Hummingbird
import OneVisitDomain

/// The catalog staff's list with its state changes (R5.3), and the ten-sames check (R3.10).
extension CatalogPages {
    struct CatalogPage {
        var layout: LayoutView
        var entries: [LinkedRow<CatalogEntry>]
        var message: String?
    }

    struct DriftPage {
        var layout: LayoutView
        var report: DriftReport
    }

    /// A state change posted from the list; a form that names no version or action is malformed.
    struct TransitionForm: Decodable {
        var versionID: UUID?
        var action: GuideState.Action?
        var version: Int?

        enum CodingKeys: String, CodingKey { case versionID, action, version }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            versionID = UUID(uuidString: try c.text(.versionID))
            action = GuideState.Action(rawValue: try c.text(.action))
            version = Int(try c.text(.version))
        }
    }

    func entries(_ request: Request, context: RoleContext<Scopes.CatalogRead>) async throws -> Response {
        let message = request.uri.queryParameters.get("done").map { "已完成：\($0)" }
        let entries = try await catalog.entries(for: context.principal).map { entry in
            LinkedRow(entry, links: [
                "guideLink": SitePath.Catalog.guide(entry.implementationID).link,
                "driftLink": SitePath.Catalog.drift.link + "#" + entry.itemCode,
            ])
        }
        return try app.renderer.page("catalog", CatalogPage(layout: context.layout("事项目录"), entries: entries, message: message))
    }

    /// Submit, approve or publish; the service decides whether this role may.
    func transition(_ request: Request, context: RoleContext<Scopes.CatalogRead>) async throws -> Response {
        let form = try await WebForm.decode(TransitionForm.self, from: request, context: context)
        guard let id = form.versionID, let action = form.action else { throw AppError.malformedBody }
        let version = try await catalog.transition(
            versionID: id, action: action, principal: context.principal, expectedVersion: form.version, address: context.remoteAddress)
        let done = "\(version.itemName) → \(GuideState(rawValue: version.state)?.chineseName ?? version.state)"
        return Response.redirect(to: SitePath.Catalog.entries.link(query: [("done", done)]))
    }

    func drift(_ request: Request, context: RoleContext<Scopes.CatalogDrift>) async throws -> Response {
        try app.renderer.page("drift", DriftPage(layout: context.layout("三级十同核对"), report: try await catalog.driftReport()))
    }
}
