import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The handlers of the public guide pages and the catalog admin's pages; `CatalogRoutes.addPages`
/// registers them.
struct CatalogPages: Sendable {
    let app: AppServices

    var catalog: CatalogService { app.catalog }

    struct GuideListPage {
        struct Option { var value: String; var label: String; var selected: Bool }
        var layout: LayoutView
        var q: String
        var regions: [Option]
        var departments: [Option]
        var topics: [Option]
        var guides: [LinkedRow<GuideSummary>]
        var count: Int
        var itemCount: Int
        var searched: Bool
    }

    struct GuidePage {
        var layout: LayoutView
        var guide: GuideView
        var isDraft: Bool
        var applyLink: String
    }

    struct ReductionsPage {
        var layout: LayoutView
        var departments: [LinkedRow<DepartmentReductions>]
        var total: DepartmentReductions
    }

    func guides(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = CatalogRoutes.searchQuery(request)
        let guides = try await catalog.searchPublished(query)
        let facets = try await catalog.facets()
        let page = GuideListPage(
            layout: context.layout("办事指南"), q: query.text,
            regions: facets.regions.map { .init(value: $0.code, label: $0.name, selected: $0.code == query.region) },
            departments: facets.departments.map { .init(value: $0, label: $0, selected: $0 == query.department) },
            topics: facets.topics.map { .init(value: $0, label: $0, selected: $0 == query.topic) },
            guides: guides.map { LinkedRow($0, link: SitePath.Catalog.guide($0.id)) }, count: guides.count,
            itemCount: Set(guides.map(\.itemCode)).count,
            searched: !query.text.isEmpty || !query.department.isEmpty || !query.topic.isEmpty || !query.region.isEmpty)
        return try app.renderer.page("guides", page)
    }

    func reductions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let departments = try await catalog.reductionsByDepartment()
        let total = departments.reduce(DepartmentReductions(department: "合计", guides: 0, materialsRemoved: 0, daysCompressed: 0, tripsReduced: 0, zeroTripGuides: 0, fullyOnlineGuides: 0)) {
            DepartmentReductions(department: "合计", guides: $0.guides + $1.guides, materialsRemoved: $0.materialsRemoved + $1.materialsRemoved,
                                 daysCompressed: $0.daysCompressed + $1.daysCompressed, tripsReduced: $0.tripsReduced + $1.tripsReduced,
                                 zeroTripGuides: $0.zeroTripGuides + $1.zeroTripGuides, fullyOnlineGuides: $0.fullyOnlineGuides + $1.fullyOnlineGuides)
        }
        let rows = departments.map { LinkedRow($0, links: ["link": SitePath.Catalog.guides.link(query: [("department", $0.department)])]) }
        return try app.renderer.page("reductions", ReductionsPage(layout: context.layout("减材料 减时限 减跑动"), departments: rows, total: total))
    }

    func guide(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        // Staff preview the newest version; everyone else sees the published one.
        let preview = context.principal?.role.isStaff == true
        let guide = try await catalog.guide(implementationID: id, includeUnpublished: preview)
        return try app.renderer.page("guide", GuidePage(
            layout: context.layout(guide.itemName), guide: guide, isDraft: guide.state != GuideState.published.rawValue,
            applyLink: SitePath.Cases.apply(guide.id).link))
    }

    func download(_ request: Request, context: AppRequestContext) async throws -> Response {
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
}
