import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The public guides (R5.3, R6.1, R8.1.3), the catalog admin's pages and `/api/v1/catalog`.
enum CatalogRoutes {
    static let catalogStaff: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor), .staff(.departmentHead)]
    static let driftReaders: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor)]

    static func searchQuery(_ request: Request) -> CatalogService.SearchQuery {
        let p = request.uri.queryParameters
        return .init(text: String((p.get("q") ?? "").prefix(50)), department: p.get("department") ?? "", topic: p.get("topic") ?? "", region: p.get("region") ?? "")
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let pages = CatalogPages(app: app)
        router.get(SitePath.Catalog.guides.route, use: pages.guides)
        router.get(SitePath.Catalog.reductions.route, use: pages.reductions)
        router.get(SitePath.route(SitePath.Catalog.guide), use: pages.guide)
        router.get(SitePath.route(SitePath.Catalog.download), use: pages.download)
        router.group(context: RoleContext<Scopes.CatalogRead>.self)
            .get(SitePath.Catalog.entries.route, use: pages.entries)
            .post(SitePath.Catalog.transition.route, use: pages.transition)
        router.group(context: RoleContext<Scopes.CatalogDrift>.self)
            .get(SitePath.Catalog.drift.route, use: pages.drift)
    }
}

extension CatalogService {
    /// Checks a file by content and size, stores it content-addressed, and records it
    /// with its audit entry in one transaction.
    func storeFile(_ data: Data, fileName: String, actor: String, address: String) async throws -> BlobStore.Stored {
        let kind = try BlobStore.check(data, fileName: fileName)
        let sha = try blobs.write(data)
        let now = clock.now
        try await persistence.transaction { tx in
            try await StoredFileModel.record(sha256: sha, mediaType: kind.mediaType, size: data.count, purpose: StoredFileModel.catalogPurpose, at: now, on: tx)
            try await AuditLog.append(.init(actor: actor, action: "file.store", objectType: "file", objectID: sha, address: address, detail: fileName), at: now, on: tx)
        }
        return .init(sha256: sha, kind: kind, size: data.count)
    }
}
