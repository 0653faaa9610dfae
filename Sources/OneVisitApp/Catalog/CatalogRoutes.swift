import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The public guides (R5.3, R6.1, R8.1.3), the catalog admin's pages and `/api/v1/catalog`.
enum CatalogRoutes {
    static let catalogStaff: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor), .staff(.departmentHead)]
    static let driftReaders: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor)]

    struct GuideListPage {
        struct Option { var value: String; var label: String; var selected: Bool }
        var layout: LayoutView
        var q: String
        var regions: [Option]
        var departments: [Option]
        var topics: [Option]
        var guides: [GuideSummary]
        var count: Int
        var itemCount: Int
        var searched: Bool
    }

    struct GuidePage {
        var layout: LayoutView
        var guide: GuideView
        var isDraft: Bool
    }

    struct ReductionsPage {
        var layout: LayoutView
        var departments: [DepartmentReductions]
        var total: DepartmentReductions
    }

    struct CatalogPage {
        var layout: LayoutView
        var entries: [CatalogEntry]
        var message: String?
    }

    struct DriftPage {
        var layout: LayoutView
        var report: DriftReport
    }

    static func searchQuery(_ request: Request) -> CatalogService.SearchQuery {
        let p = request.uri.queryParameters
        return .init(text: String((p.get("q") ?? "").prefix(50)), department: p.get("department") ?? "", topic: p.get("topic") ?? "", region: p.get("region") ?? "")
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let catalog = app.catalog
        router.get("/guides") { request, context in
            let query = searchQuery(request)
            let guides = try await catalog.searchPublished(query)
            let facets = try await catalog.facets()
            let page = GuideListPage(
                layout: context.layout("办事指南"), q: query.text,
                regions: facets.regions.map { .init(value: $0.code, label: $0.name, selected: $0.code == query.region) },
                departments: facets.departments.map { .init(value: $0, label: $0, selected: $0 == query.department) },
                topics: facets.topics.map { .init(value: $0, label: $0, selected: $0 == query.topic) },
                guides: guides, count: guides.count, itemCount: Set(guides.map(\.itemCode)).count,
                searched: !query.text.isEmpty || !query.department.isEmpty || !query.topic.isEmpty || !query.region.isEmpty)
            return try app.renderer.page("guides", page)
        }
        router.get("/guides/reductions") { _, context in
            let departments = try await catalog.reductionsByDepartment()
            let total = departments.reduce(DepartmentReductions(department: "合计", guides: 0, materialsRemoved: 0, daysCompressed: 0, tripsReduced: 0, zeroTripGuides: 0, fullyOnlineGuides: 0)) {
                DepartmentReductions(department: "合计", guides: $0.guides + $1.guides, materialsRemoved: $0.materialsRemoved + $1.materialsRemoved,
                                     daysCompressed: $0.daysCompressed + $1.daysCompressed, tripsReduced: $0.tripsReduced + $1.tripsReduced,
                                     zeroTripGuides: $0.zeroTripGuides + $1.zeroTripGuides, fullyOnlineGuides: $0.fullyOnlineGuides + $1.fullyOnlineGuides)
            }
            return try app.renderer.page("reductions", ReductionsPage(layout: context.layout("减材料 减时限 减跑动"), departments: departments, total: total))
        }
        router.get("/guides/:id") { _, context in
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            // Staff preview the newest version; everyone else sees the published one.
            let preview = context.principal?.role.isStaff == true
            let guide = try await catalog.guide(implementationID: id, includeUnpublished: preview)
            return try app.renderer.page("guide", GuidePage(layout: context.layout(guide.itemName), guide: guide, isDraft: guide.state != GuideState.published.rawValue))
        }
        router.get("/downloads/:sha/:name") { _, context in
            let notFound = AppError(.notFound, code: "file.not_found", title: "文件不存在或已被删除")
            // Only what the catalog stored is served here: blank forms and samples of guides are
            // public, and catalog admins also see what they uploaded. A case's materials and results
            // share the content-addressed store but are served with the case, to those who may see it.
            guard let sha = context.parameters.get("sha"), sha.count == 64, sha.allSatisfy(\.isHexDigit), let name = context.parameters.get("name"),
                  let stored = try await StoredFileModel.find(sha, on: app.persistence.db), stored.purpose == StoredFileModel.catalogPurpose
            else { throw notFound }
            if context.principal?.role != .staff(.catalogAdmin) {
                let states = context.principal?.role.isStaff == true ? GuideState.allCases.map(\.rawValue) : [GuideState.published.rawValue]
                guard try await GuideVersionModel.query(on: app.persistence.db).filter(\.$definition ~~ sha).filter(\.$state ~~ states).first() != nil else { throw notFound }
            }
            guard let data = try app.blobs.read(sha) else { throw notFound }
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
            return Response(
                status: .ok,
                headers: [.contentType: stored.mediaType, .contentDisposition: "attachment; filename=\"download\"; filename*=UTF-8''\(encoded)",
                          .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/catalog") { request, context in
            let principal = try context.require(catalogStaff)
            let message = request.uri.queryParameters.get("done").map { "已完成：\($0)" }
            return try app.renderer.page("catalog", CatalogPage(layout: context.layout("事项目录"), entries: try await catalog.entries(for: principal), message: message))
        }
        router.post("/catalog/transition") { request, context in
            let principal = try context.require(catalogStaff)
            let form = try await WebForm.read(request, context: context)
            guard let id = UUID(uuidString: form["versionID"]), let action = GuideState.Action(rawValue: form["action"]) else { throw AppError.malformedBody }
            let version = try await catalog.transition(versionID: id, action: action, principal: principal, expectedVersion: Int(form["version"]), address: context.remoteAddress)
            let done = "\(version.itemName) → \(GuideState(rawValue: version.state)?.chineseName ?? version.state)"
            return Response.redirect(to: "/catalog?done=\(done.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        router.get("/catalog/drift") { _, context in
            _ = try context.require(driftReaders)
            return try app.renderer.page("drift", DriftPage(layout: context.layout("三级十同核对"), report: try await catalog.driftReport()))
        }
    }

    // MARK: API
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
