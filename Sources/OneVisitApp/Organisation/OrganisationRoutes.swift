import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain
import SQLKit

/// Regions, departments, halls, windows and A/B posts (R6.4, R6.9): staff pages and API.
enum OrganisationRoutes {
    struct RegionView: ResponseEncodable, Sendable {
        var code: String
        var name: String
        var level: String
        var levelName: String
        var parentCode: String?
        var governmentName: String
    }

    struct DepartmentView: ResponseEncodable, Sendable {
        var id: UUID
        var regionCode: String
        var regionName: String
        var name: String
        var field: String
        var kindName: String
        /// Who reconsiders its acts (R8.5.5, 行政复议法第二十四条、第二十七条); nil when the data lacks the name.
        var reconsiderationOrgan: String?
    }

    struct WindowView: ResponseEncodable, Sendable {
        var id: UUID
        var number: String
        var kind: String
        var kindName: String
        var field: String
        var departmentName: String?
    }

    struct CentreView: ResponseEncodable, Sendable {
        var id: UUID
        var regionCode: String
        var regionName: String
        var name: String
        var address: String
        var phone: String
        var hours: String
        var windows: [WindowView]
    }

    struct PostView: ResponseEncodable, Sendable {
        var id: UUID
        var name: String
        var unit: String
        var holderA: String?
        var holderB: String?
        var hasBackup: Bool
    }

    struct Overview: ResponseEncodable, Sendable {
        var regions: [RegionView]
        var departments: [DepartmentView]
        var centres: [CentreView]
        var posts: [PostView]
    }

    struct OrganisationPage {
        var layout: LayoutView
        var overview: Overview
        var postsWithoutBackup: Int
    }

    /// The whole organisation as staff see it; lists hold names, never ID numbers or phones.
    static func overview(on db: any Database) async throws -> Overview {
        let regionModels = try await RegionModel.query(on: db).sort(\.$id).all()
        let regionNames = Dictionary(uniqueKeysWithValues: regionModels.map { ($0.id!, $0.name) })
        let regions = regionModels.map { r in
            RegionView(code: r.id!, name: r.name, level: r.level,
                       levelName: RegionCode.Level(rawValue: r.level)?.chineseName ?? r.level, parentCode: r.parentCode, governmentName: r.governmentName)
        }
        let governments = Dictionary(uniqueKeysWithValues: regionModels.map { ($0.id!, $0.governmentName) })
        let departmentModels = try await DepartmentModel.query(on: db).sort(\.$regionCode).sort(\.$name).all()
        let departmentNames = Dictionary(uniqueKeysWithValues: departmentModels.map { ($0.id!, $0.name) })
        let departments = departmentModels.map { d in
            DepartmentView(id: d.id!, regionCode: d.regionCode, regionName: regionNames[d.regionCode] ?? d.regionCode, name: d.name, field: d.field,
                           kindName: d.departmentKind.chineseName,
                           reconsiderationOrgan: try? Remedies.reconsiderationOrgan(department: d.name, kind: d.departmentKind, government: governments[d.regionCode] ?? "",
                                                                                   higherDepartment: d.higherDepartment))
        }
        let windows = try await WindowModel.query(on: db).sort(\.$number).all()
        let centres = try await ServiceCentreModel.query(on: db).sort(\.$regionCode).all().map { c in
            CentreView(
                id: c.id!, regionCode: c.regionCode, regionName: regionNames[c.regionCode] ?? c.regionCode, name: c.name,
                address: c.address, phone: c.phone, hours: c.hours,
                windows: windows.filter { $0.centreID == c.id }.map { w in
                    WindowView(id: w.id!, number: w.number, kind: w.kind, kindName: w.kind == "comprehensive" ? "综合受理窗口" : "部门专窗",
                               field: w.field, departmentName: w.departmentID.flatMap { departmentNames[$0] })
                })
        }
        let staff = try await db.sql.select().columns("id", "display_name").from(AccountRow.table).where("role", .notEqual, Role.applicant.code).all()
        let accounts = Dictionary(uniqueKeysWithValues: try staff.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "display_name", as: String.self)) })
        let windowNumbers = Dictionary(uniqueKeysWithValues: windows.map { ($0.id!, $0.number) })
        let posts = try await PostModel.query(on: db).sort(\.$name).all().map { p in
            PostView(
                id: p.id!, name: p.name,
                unit: p.departmentID.flatMap { departmentNames[$0] } ?? p.windowID.flatMap { windowNumbers[$0].map { "\($0) 号窗口" } } ?? "",
                holderA: p.holderAID.flatMap { accounts[$0] }, holderB: p.holderBID.flatMap { accounts[$0] },
                hasBackup: p.holderBID != nil)
        }
        return Overview(regions: regions, departments: departments, centres: centres, posts: posts)
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        router.group(context: RoleContext<Scopes.OrganisationRead>.self)
            .get(SitePath.Organisation.overview.route) { request, context in try await organisationPage(request, context: context, app: app) }
    }

    static func organisationPage(_ request: Request, context: RoleContext<Scopes.OrganisationRead>, app: AppServices) async throws -> Response {
        let overview = try await overview(on: app.persistence.db)
        return try app.renderer.page("organisation", OrganisationPage(
            layout: context.layout("组织机构"), overview: overview,
            postsWithoutBackup: overview.posts.filter { !$0.hasBackup }.count))
    }
}
