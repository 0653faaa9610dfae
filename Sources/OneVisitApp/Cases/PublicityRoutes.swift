import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

extension Components.Schemas.PublicityPage: ResponseEncodable {}

/// 办理结果公示 (R8.5.6): `GET /publicity` and `GET /api/v1/publicity`, public, read only.
/// Both take `q` (item name, holder name as published, or decision number) and `page` (1…1000;
/// anything else is 422 `publicity.page`, not clamped, so a wrong link is seen as wrong).
enum PublicityRoutes {
    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        router.get(SitePath.Publicity.results.route) { request, context in try await page(request, context: context, app: app) }
    }

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.get(SitePath.API.Publicity.results.route) { request, _ in try await results(request, app: app) }
    }

    static func load(_ request: Request, app: AppServices) async throws -> PublicityService.Page {
        let parameters = request.uri.queryParameters
        let asked = try PublicityService.request(q: parameters.get("q"), page: parameters.get("page"))
        return try await PublicityService.page(query: asked.query, page: asked.page, on: app.persistence.db)
    }

    static func results(_ request: Request, app: AppServices) async throws -> Components.Schemas.PublicityPage {
        let page = try await load(request, app: app)
        return .init(query: page.query, page: page.page, pageSize: Publicity.pageSize, hasMore: page.hasMore, results: page.results.map {
            .init(itemCode: $0.itemCode, itemName: $0.itemName, holderName: $0.holderName, holderIsOrganisation: $0.holderIsOrganisation,
                  decision: "准予", decisionTitle: $0.decisionTitle, decisionNumber: $0.decisionNumber, decidedOn: $0.decidedOn.description,
                  organ: $0.organ, regionCode: $0.regionCode, regionName: $0.regionName)
        })
    }

    struct ResultView {
        var itemName: String
        var holderName: String
        var holderKind: String
        var decisionTitle: String
        var decisionNumber: String
        var dayText: String
        var organ: String
        var regionName: String
    }

    struct PublicityPageView {
        var layout: LayoutView
        var q: String
        var searched: Bool
        var page: Int
        var results: [ResultView]
        var previousLink: String?
        var nextLink: String?
    }

    static func page(_ request: Request, context: AppRequestContext, app: AppServices) async throws -> Response {
        let page = try await load(request, app: app)
        func link(_ number: Int) -> String {
            SitePath.Publicity.results.link(query: [("q", page.query), ("page", number == 1 ? "" : String(number))])
        }
        let views = page.results.map {
            ResultView(itemName: $0.itemName, holderName: $0.holderName, holderKind: $0.holderIsOrganisation ? "法人或其他组织" : "自然人",
                       decisionTitle: $0.decisionTitle, decisionNumber: $0.decisionNumber, dayText: CaseNotices.dayText($0.decidedOn),
                       organ: $0.organ, regionName: $0.regionName)
        }
        return try app.renderer.page("publicity", PublicityPageView(
            layout: context.layout("办理结果公示"), q: page.query, searched: !page.query.isEmpty, page: page.page, results: views,
            previousLink: page.page > 1 ? link(page.page - 1) : nil, nextLink: page.hasMore ? link(page.page + 1) : nil))
    }
}
