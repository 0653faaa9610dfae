import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The signed-in person's home page (what the role can do) and account page.
extension AccountPages {
    struct HomePage {
        struct Item { var title: String; var summary: String; var clause: String; var path: String?; var planned: Bool }
        var layout: LayoutView
        var roleCode: String
        var roleName: String
        var displayName: String
        var items: [Item]
        var departmentName: String?
        var regionName: String?
    }

    struct AccountPage {
        var layout: LayoutView
        var account: AccountView
    }

    func home(_ request: Request, context: SignedInContext) async throws -> Response {
        let principal = context.principal
        let db = app.persistence.db
        var departmentName: String?
        var regionName: String?
        if let id = principal.departmentID { departmentName = try await DepartmentModel.find(id, on: db)?.name }
        if let code = principal.regionCode { regionName = try await RegionModel.find(code, on: db)?.name }
        let page = HomePage(
            layout: context.layout("我的首页"), roleCode: principal.role.code, roleName: principal.role.chineseName,
            displayName: principal.displayName, items: principal.role.capabilities.map(Self.item), departmentName: departmentName,
            regionName: regionName)
        return try renderer.page("home", page)
    }

    static func item(_ capability: Capability) -> HomePage.Item {
        switch capability.status {
        case .available(let destination):
            .init(title: capability.title, summary: capability.summary, clause: capability.clause, path: destination.sitePath.link, planned: false)
        case .planned:
            .init(title: capability.title, summary: capability.summary, clause: capability.clause, path: nil, planned: true)
        }
    }

    func account(_ request: Request, context: SignedInContext) async throws -> Response {
        guard let account = try await AccountRow.find(context.principal.accountID, on: app.persistence.sql) else { throw AppError.unauthenticated }
        return try renderer.page("account", AccountPage(layout: context.layout("我的账号"), account: AccountView(account)))
    }
}
