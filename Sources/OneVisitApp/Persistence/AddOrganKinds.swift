import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

/// Issue 13 point 2 (R8.5.5): the organisation data names the reconsideration organ instead of
/// the notice composing it from a suffix — each region's people's government, and each
/// department's short name (the duty's key), kind and higher department (行政复议法第二十四条、
/// 第二十七条). Existing rows are filled: the government as "<region>人民政府" (how every
/// people's government is named); a department the demo seed made under a composed name
/// (河南省自然资源和规划局) takes the real name and kind of `DemoSeed.organs`; any other keeps its
/// name, with the kind its name shows and, for a tax bureau, 国家税务总局's bureau of the parent
/// region (or 国家税务总局 for a province).
struct AddOrganKinds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("regions").field("government_name", .string, .required, .sql(.default(""))).update()
        try await database.schema("departments").field("short_name", .string, .required, .sql(.default(""))).update()
        try await database.schema("departments").field("kind", .string, .required, .sql(.default(DepartmentKind.ordinary.rawValue))).update()
        try await database.schema("departments").field("higher_department", .string).update()
        try await Self.fill(on: database.sql)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("departments").deleteField("higher_department").update()
        try await database.schema("departments").deleteField("kind").update()
        try await database.schema("departments").deleteField("short_name").update()
        try await database.schema("regions").deleteField("government_name").update()
    }

    struct Region: Decodable {
        var code: String
        var name: String
        var parent_code: String?
    }

    struct Department: Decodable {
        var id: UUID
        var region_code: String
        var name: String
    }

    /// What an existing department becomes: name, short name, kind, higher department.
    static func filled(_ d: Department, regions: [String: Region]) -> (name: String, short: String, kind: DepartmentKind, higher: String?) {
        let regionName = regions[d.region_code]?.name ?? ""
        let short: String = if d.name.hasPrefix("国家税务总局"), d.name.hasSuffix("税务局") { "税务局" }
            else if !regionName.isEmpty, d.name.hasPrefix(regionName), d.name.count > regionName.count { String(d.name.dropFirst(regionName.count)) }
            else { d.name }
        // The name the demo seed composed before this migration; only such a row is renamed.
        let composed = short == "税务局" ? "国家税务总局\(regionName)税务局" : regionName + short
        if d.name == composed, let organ = DemoSeed.organs[d.region_code]?[short] {
            return (organ.name, short, organ.kind, organ.higher)
        }
        let kind = DepartmentKind.guessed(fromName: d.name)
        var higher: String?
        if kind == .tax {
            let parent = regions[d.region_code]?.parent_code.flatMap { regions[$0]?.name }
            higher = parent.map { "国家税务总局\($0)税务局" } ?? "国家税务总局"
        }
        return (d.name, short, kind, higher)
    }

    static func fill(on sql: any SQLDatabase) async throws {
        let regionRows = try await sql.select().columns("code", "name", "parent_code").from("regions").all(decoding: Region.self)
        for region in regionRows {
            try await sql.update("regions").set("government_name", to: region.name + "人民政府").where("code", .equal, region.code).run()
        }
        let regions = Dictionary(regionRows.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        for d in try await sql.select().columns("id", "region_code", "name").from("departments").all(decoding: Department.self) {
            let f = filled(d, regions: regions)
            try await sql.update("departments").set("name", to: f.name).set("short_name", to: f.short).set("kind", to: f.kind.rawValue)
                .set("higher_department", to: f.higher).where("id", .equal, d.id).run()
        }
    }
}
