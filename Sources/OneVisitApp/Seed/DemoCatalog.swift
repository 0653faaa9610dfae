import FluentKit
import Foundation
import OneVisitDomain

/// The demo catalog (`Resources/catalog/demo-catalog.json`): 20-odd Henan items, each
/// implemented where its level allows, with a few deliberate local drifts for the
/// ten-sames report to find and a few R6.2 cases for the material check.
enum DemoCatalog {
    struct File: Decodable { var items: [Item] }

    struct Item: Decodable {
        var department: String
        var levels: [RegionCode.Level]
        var definition: ItemDefinition
        var drift: [String: Drift]?
    }

    /// A local deviation from the base item at one region.
    struct Drift: Decodable {
        var mainItemName: String?
        var promisedLimit: Int?
        var legalBasis: String?
        var formFields: [FormField]?
        var fees: [Fee]?
        var extraMaterial: MaterialRequirement?
        var removeMaterial: String?

        func apply(to definition: inout ItemDefinition) {
            if let mainItemName { definition.attributes.mainItemName = mainItemName }
            if let promisedLimit { definition.attributes.promisedLimit = promisedLimit }
            if let legalBasis { definition.attributes.legalBasis = legalBasis }
            if let formFields { definition.attributes.formFields = formFields }
            if let fees { definition.attributes.fees = fees }
            if let extraMaterial { definition.attributes.materials.append(extraMaterial) }
            if let removeMaterial { definition.attributes.materials.removeAll { $0.name == removeMaterial } }
        }
    }

    /// A blank form the loader makes: `{"sha256": "generate", "fileName": …}`; a filled-in
    /// sample (示范文本) is made beside each unless the item names its own.
    static let generate = "generate"

    /// "申请书.pdf" → "申请书（示范文本）.pdf".
    static func sampleFileName(_ blank: String) -> String {
        (blank.hasSuffix(".pdf") ? String(blank.dropLast(4)) : blank) + "（示范文本）.pdf"
    }

    static func file() throws -> File {
        guard let url = Bundle.module.url(forResource: "demo-catalog", withExtension: "json", subdirectory: "Resources/catalog") else {
            throw ConfigError(setting: "demo catalog", problem: "演示事项数据缺失 (demo-catalog.json missing)")
        }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    /// Hall details of the regions that implement items.
    static let halls: [String: LocalDetails] = [
        "410100": .init(address: "郑州市郑东新区 郑州市政务服务中心（演示数据）", phone: "0371-12345", hours: "工作日 9:00–12:00，13:00–17:00", windows: "A01–A04 综合受理窗口"),
        "410122": .init(address: "中牟县政务服务中心（演示数据）", phone: "0371-12345", hours: "工作日 9:00–12:00，13:00–17:00", windows: "综合受理窗口"),
        "410200": .init(address: "开封市城乡一体化示范区 开封市民之家（演示数据）", phone: "0371-12345", hours: "工作日 9:00–12:00，13:00–17:00", windows: "A01–A03 综合受理窗口"),
        "410221": .init(address: "杞县政务服务中心（演示数据）", phone: "0371-12345", hours: "工作日 9:00–12:00，13:00–17:00", windows: "综合受理窗口"),
    ]

    static let regionsByLevel: [RegionCode.Level: [String]] = [
        .province: ["410000"], .city: ["410100", "410200"], .county: ["410122", "410221"],
    ]

    /// Loads the catalog through the catalog service, so every rule and audit record applies.
    /// Seed guides go draft → submitted → approved → published by two seed identities; a
    /// guide the R6.2 check blocks stays approved, as it would for a real admin.
    static func load(into services: AppServices, progress: @Sendable (String) -> Void) async throws -> (items: Int, published: Int, blocked: Int) {
        let catalog = services.catalog
        let db = services.persistence.db
        let file = try file()
        let departments = try await DepartmentModel.query(on: db).all()
        func departmentID(_ region: String, _ short: String) -> UUID? {
            let name = DemoSeed.departmentName(region: DemoSeed.regions.first { $0.code == region }!.name, short: short)
            return departments.first { $0.regionCode == region && $0.name == name }?.id
        }
        let submitter = Principal(accountID: UUID(), sessionID: UUID(), role: .staff(.catalogAdmin), displayName: "演示数据", loginName: "seed.catalog", departmentID: nil, regionCode: "410000")
        var approver = submitter
        approver.loginName = "seed.approver"
        var published = 0
        var blocked = 0
        for item in file.items {
            var definition = item.definition
            // Blank forms and their filled-in samples (示范文本, R8.2.1) are generated from the item's own form content.
            let a = definition.attributes
            let subtitle = "\(a.displayName)　事项编码 \(a.itemCode.value)", footer = "河南政务服务网 · 一网通办　本表免费提供（演示数据）"
            for index in a.materials.indices {
                guard let form = a.materials[index].blankForm, form.sha256 == generate else { continue }
                let blank = BlankFormPDF.make(title: a.materials[index].name, subtitle: subtitle, fields: a.formFields.names, footer: footer)
                let stored = try await catalog.storeFile(blank, fileName: form.fileName, actor: "system:seed", address: "local")
                definition.attributes.materials[index].blankForm = FileReference(sha256: stored.sha256, fileName: form.fileName)
                guard a.materials[index].sample == nil else { continue }
                let sampleName = sampleFileName(form.fileName)
                let sample = BlankFormPDF.sample(title: a.materials[index].name, subtitle: subtitle, fields: a.formFields, footer: footer)
                let storedSample = try await catalog.storeFile(sample, fileName: sampleName, actor: "system:seed", address: "local")
                definition.attributes.materials[index].sample = FileReference(sha256: storedSample.sha256, fileName: sampleName)
            }
            _ = try await catalog.createBaseItem(definition, department: item.department, actor: "system:seed", address: "local")
            for level in item.levels {
                for region in regionsByLevel[level] ?? [] {
                    guard let department = departmentID(region, item.department) else { continue }
                    let details = region == "410000" ? definition.local : (halls[region] ?? definition.local)
                    let (implementation, first) = try await catalog.implement(code: definition.attributes.itemCode.value, regionCode: region, departmentID: department, local: details, actor: "system:seed", address: "local")
                    var version = first
                    if let drift = item.drift?[region] {
                        var deviating = definition
                        deviating.local = details
                        drift.apply(to: &deviating)
                        version = try await catalog.saveDraft(implementationID: implementation.id!, deviating, actor: "system:seed", address: "local")
                    }
                    version = try await catalog.transition(versionID: version.id!, action: .submit, principal: submitter, expectedVersion: nil, address: "local")
                    version = try await catalog.transition(versionID: version.id!, action: .approve, principal: approver, expectedVersion: nil, address: "local")
                    do {
                        _ = try await catalog.transition(versionID: version.id!, action: .publish, principal: submitter, expectedVersion: nil, address: "local")
                        published += 1
                    } catch let error as AppError where error.status == .conflict {
                        blocked += 1
                    }
                }
            }
        }
        progress("事项 \(file.items.count) 个，已发布指南 \(published) 份，因材料简化或完整性问题待修改 \(blocked) 份")
        return (file.items.count, published, blocked)
    }
}
