import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// The catalog's use cases: base items and their versions, implementations per region,
/// guide versions through their life cycle, search, drift and reductions.
public struct CatalogService: Sendable {
    let persistence: Persistence
    let clock: any AppClock
    let blobs: any FileStore

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ definition: ItemDefinition) throws -> String {
        String(decoding: try encoder.encode(definition), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> ItemDefinition {
        try JSONDecoder().decode(ItemDefinition.self, from: Data(text.utf8))
    }

    static func invalid(_ error: CatalogError) -> AppError {
        AppError(.unprocessableContent, code: error.code, title: error.message, field: error.field)
    }

    static func validate(_ definition: ItemDefinition) throws {
        do { try CatalogRules.validate(definition) } catch { throw invalid(error) }
    }

    // MARK: base items

    /// Creates a base item with its first version (R5.3).
    func createBaseItem(_ definition: ItemDefinition, department: String, actor: String, address: String) async throws -> BaseItemModel {
        try Self.validate(definition)
        guard DemoSeed.departments.contains(where: { $0.0 == department }) else {
            throw AppError.invalid("department", code: "item.department_unknown", "处理部门“\(department)”不存在")
        }
        let now = clock.now
        let text = try Self.encode(definition)
        return try await persistence.transaction { tx in
            let code = definition.attributes.itemCode.value
            if try await BaseItemModel.query(on: tx).filter(\.$code == code).first() != nil {
                throw AppError.invalid("itemCode", code: "item.code_duplicate", "事项编码 \(code) 已存在")
            }
            let item = BaseItemModel()
            item.id = UUID()
            item.code = code
            item.itemType = definition.attributes.itemType.rawValue
            item.displayName = definition.attributes.displayName
            item.department = department
            item.currentVersion = 1
            item.createdAt = now
            try await item.create(on: tx)
            let version = BaseItemVersionModel()
            version.baseItemID = item.id!
            version.number = 1
            version.definition = text
            version.createdBy = actor
            version.createdAt = now
            try await version.create(on: tx)
            try await AuditLog.append(.init(actor: actor, action: "catalog.item_create", objectType: "base_item", objectID: code, address: address), at: now, on: tx)
            return item
        }
    }

    /// A new version of a base item; code and type never change.
    func reviseBaseItem(code: String, _ definition: ItemDefinition, actor: String, address: String) async throws -> Int {
        try Self.validate(definition)
        let now = clock.now
        let text = try Self.encode(definition)
        return try await persistence.transaction { tx in
            guard let item = try await BaseItemModel.query(on: tx).filter(\.$code == code).first() else { throw AppError.notFound }
            guard definition.attributes.itemCode.value == code, definition.attributes.itemType.rawValue == item.itemType else {
                throw AppError.invalid("itemCode", code: "item.code_immutable", "事项编码和事项类型不能修改；如需变更，请新建事项")
            }
            let number = item.currentVersion + 1
            let version = BaseItemVersionModel()
            version.baseItemID = item.id!
            version.number = number
            version.definition = text
            version.createdBy = actor
            version.createdAt = now
            try await version.create(on: tx)
            item.currentVersion = number
            item.displayName = definition.attributes.displayName
            try await item.update(on: tx)
            try await AuditLog.append(.init(actor: actor, action: "catalog.item_revise", objectType: "base_item", objectID: code, address: address, detail: "v\(number)"), at: now, on: tx)
            return number
        }
    }

    static func baseDefinition(_ item: BaseItemModel, on db: any Database) async throws -> ItemDefinition {
        guard let version = try await BaseItemVersionModel.query(on: db)
            .filter(\.$baseItemID == item.id!).filter(\.$number == item.currentVersion).first()
        else { throw AppError(.internalServerError, code: "catalog.version_missing", title: "事项版本缺失") }
        return try decode(version.definition)
    }

    // MARK: implementations and guide versions

    /// Binds a base item to a region and department and opens guide version 1 as a draft,
    /// copied from the base item with the local details.
    func implement(code: String, regionCode: String, departmentID: UUID, local: LocalDetails, actor: String, address: String) async throws -> (ImplementationModel, GuideVersionModel) {
        let now = clock.now
        return try await persistence.transaction { tx in
            guard let item = try await BaseItemModel.query(on: tx).filter(\.$code == code).first() else { throw AppError.notFound }
            guard try await RegionModel.find(regionCode, on: tx) != nil else {
                throw AppError.invalid("regionCode", code: "implementation.region_unknown", "行政区划代码 \(regionCode) 不存在")
            }
            guard let department = try await DepartmentModel.find(departmentID, on: tx), department.regionCode == regionCode else {
                throw AppError.invalid("departmentID", code: "implementation.department_mismatch", "实施部门不属于该行政区划")
            }
            if try await ImplementationModel.query(on: tx).filter(\.$baseItemID == item.id!).filter(\.$regionCode == regionCode).first() != nil {
                throw AppError(.conflict, code: "implementation.exists", title: "该区划已有此事项的实施清单")
            }
            var definition = try await Self.baseDefinition(item, on: tx)
            definition.local = local
            let implementation = ImplementationModel()
            implementation.id = UUID()
            implementation.baseItemID = item.id!
            implementation.regionCode = regionCode
            implementation.departmentID = departmentID
            implementation.createdAt = now
            try await implementation.create(on: tx)
            let version = try await Self.addVersion(definition, to: implementation, departmentName: department.name, number: 1, actor: actor, now: now, on: tx)
            try await AuditLog.append(.init(actor: actor, action: "catalog.implement", objectType: "implementation", objectID: implementation.id!.uuidString, address: address, detail: "\(code)@\(regionCode)"), at: now, on: tx)
            return (implementation, version)
        }
    }

    static func addVersion(_ definition: ItemDefinition, to implementation: ImplementationModel, departmentName: String, number: Int, actor: String, now: Date, on tx: any Database) async throws -> GuideVersionModel {
        let a = definition.attributes
        let version = GuideVersionModel()
        version.id = UUID()
        version.implementationID = implementation.id!
        version.number = number
        version.state = GuideState.draft.rawValue
        version.definition = try encode(definition)
        version.itemCode = a.itemCode.value
        version.itemName = a.displayName
        version.itemType = a.itemType.rawValue
        version.departmentName = departmentName
        version.regionCode = implementation.regionCode
        version.topics = definition.topics.joined(separator: "、")
        version.searchText = ([a.displayName, a.itemCode.value, a.itemType.chineseName, departmentName] + definition.topics + a.materials.map(\.name))
            .joined(separator: " ").lowercased()
        version.createdBy = actor
        version.createdAt = now
        version.version = 1
        try await version.create(on: tx)
        return version
    }

    /// A new draft version of an implementation's guide; earlier unpublished versions are superseded.
    func saveDraft(implementationID: UUID, _ definition: ItemDefinition, actor: String, address: String) async throws -> GuideVersionModel {
        try Self.validate(definition)
        let now = clock.now
        return try await persistence.transaction { tx in
            guard let implementation = try await ImplementationModel.find(implementationID, on: tx),
                  let item = try await BaseItemModel.find(implementation.baseItemID, on: tx),
                  let department = try await DepartmentModel.find(implementation.departmentID, on: tx)
            else { throw AppError.notFound }
            guard definition.attributes.itemCode.value == item.code else {
                throw AppError.invalid("itemCode", code: "item.code_immutable", "实施清单的事项编码须与基本目录一致（\(item.code)）")
            }
            let versions = try await GuideVersionModel.query(on: tx).filter(\.$implementationID == implementationID).all()
            for old in versions where [GuideState.draft.rawValue, GuideState.submitted.rawValue, GuideState.approved.rawValue].contains(old.state) {
                old.state = GuideState.superseded.rawValue
                old.version += 1
                try await old.update(on: tx)
            }
            let number = (versions.map(\.number).max() ?? 0) + 1
            let version = try await Self.addVersion(definition, to: implementation, departmentName: department.name, number: number, actor: actor, now: now, on: tx)
            try await AuditLog.append(.init(actor: actor, action: "catalog.guide_draft", objectType: "guide_version", objectID: version.id!.uuidString, address: address, detail: "\(item.code)@\(implementation.regionCode) v\(number)"), at: now, on: tx)
            return version
        }
    }

    /// What stops a guide from being published: unjustified R6.2 flags and completeness problems.
    func check(_ definition: ItemDefinition) -> (flags: [MaterialCheck.Flag], problems: [String]) {
        (MaterialCheck.flags(for: definition.attributes), GuideCompleteness.problems(of: definition) { blobs.exists($0.sha256) })
    }

    /// Moves a guide version through its life cycle (R5.3), by the role allowed for each step.
    /// `expectedVersion`, when given, must match: of two editors acting at once, one wins.
    func transition(versionID: UUID, action: GuideState.Action, principal: Principal, expectedVersion: Int?, address: String) async throws -> GuideVersionModel {
        let now = clock.now
        return try await persistence.transaction { tx in
            guard let version = try await GuideVersionModel.find(versionID, on: tx),
                  let implementation = try await ImplementationModel.find(version.implementationID, on: tx)
            else { throw AppError.notFound }
            if let expectedVersion, expectedVersion != version.version {
                throw AppError(.conflict, code: "guide.stale", title: "该指南已被他人修改，请刷新后重试")
            }
            let state = GuideState(rawValue: version.state) ?? .draft
            try Self.authorise(action, principal: principal, implementation: implementation, version: version)
            let next: GuideState
            do { next = try state.applying(action) } catch let error as CatalogError { throw AppError(.conflict, code: error.code, title: error.message) }
            if action == .publish {
                let definition = try Self.decode(version.definition)
                let (flags, problems) = check(definition)
                let unjustified = flags.filter { !$0.isJustified }
                if let first = unjustified.first {
                    throw AppError(.conflict, code: "guide.material_flags", title: "有 \(unjustified.count) 项材料不符合材料简化要求且未说明理由，不能发布", detail: first.message)
                }
                if let first = problems.first {
                    throw AppError(.conflict, code: "guide.incomplete", title: "指南不完整，不能发布", detail: first)
                }
                let published = try await GuideVersionModel.query(on: tx).filter(\.$implementationID == implementation.id!)
                    .filter(\.$state == GuideState.published.rawValue).all()
                for old in published {
                    old.state = GuideState.superseded.rawValue
                    old.version += 1
                    try await old.update(on: tx)
                }
                version.publishedAt = now
            }
            switch action {
            case .submit: version.submittedBy = principal.auditName
            case .approve: version.approvedBy = principal.auditName
            case .returnToDraft: version.approvedBy = nil
            case .publish: break
            }
            // The version check in the UPDATE itself: a concurrent change makes this one fail.
            let sql = tx as! any SQLDatabase
            let rows = try await sql.update(GuideVersionModel.schema)
                .set("state", to: next.rawValue)
                .set("version", to: version.version + 1)
                .set("submitted_by", to: version.submittedBy)
                .set("approved_by", to: version.approvedBy)
                .set("published_at", to: version.publishedAt)
                .where("id", .equal, versionID)
                .where("version", .equal, version.version)
                .returning("id")
                .all()
            guard rows.count == 1 else { throw AppError(.conflict, code: "guide.stale", title: "该指南已被他人修改，请刷新后重试") }
            version.state = next.rawValue
            version.version += 1
            try await AuditLog.append(.init(actor: principal.auditName, action: "catalog.guide_\(action.rawValue)", objectType: "guide_version", objectID: versionID.uuidString, address: address, detail: "\(version.itemCode)@\(version.regionCode) v\(version.number) → \(next.rawValue)"), at: now, on: tx)
            return version
        }
    }

    /// Catalog admins submit, return and publish; a department head of the implementing
    /// department, or a catalog admin of a higher level, approves — never the one who submitted.
    static func authorise(_ action: GuideState.Action, principal: Principal, implementation: ImplementationModel, version: GuideVersionModel) throws {
        // A catalog admin acts on guides of their region and below; a department head only on
        // their own department's guides (issue 10 item 12: any head could return any region's).
        let adminOfRegion = principal.role == .staff(.catalogAdmin)
            && principal.regionCode.flatMap(RegionCode.init).map { admin in RegionCode(implementation.regionCode).map(admin.contains) ?? false } == true
        let headOfDepartment = principal.role == .staff(.departmentHead) && principal.departmentID == implementation.departmentID
        switch action {
        case .submit, .publish:
            guard adminOfRegion else { throw AppError.forbidden }
        case .returnToDraft:
            guard adminOfRegion || headOfDepartment else { throw AppError.forbidden }
        case .approve:
            let higherAdmin = adminOfRegion && (principal.regionCode.flatMap(RegionCode.init)?.level == .province)
            guard headOfDepartment || higherAdmin else { throw AppError.forbidden }
            guard version.submittedBy != principal.auditName else {
                throw AppError(.conflict, code: "guide.four_eyes", title: "报审人不能审定自己报审的指南")
            }
        }
    }
}
