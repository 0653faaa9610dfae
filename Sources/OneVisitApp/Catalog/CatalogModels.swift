import FluentKit
import FluentSQL
import Foundation

/// 基本目录: the provincial baseline of an item; its content lives in versions.
final class BaseItemModel: Model, @unchecked Sendable {
    static let schema = "base_items"
    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "item_type") var itemType: String
    @Field(key: "display_name") var displayName: String
    /// Short name of the handling department, e.g. 市场监督管理局.
    @Field(key: "department") var department: String
    @Field(key: "current_version") var currentVersion: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// Every change to a base item, kept.
final class BaseItemVersionModel: Model, @unchecked Sendable {
    static let schema = "base_item_versions"
    @ID(key: .id) var id: UUID?
    @Field(key: "base_item_id") var baseItemID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "definition") var definition: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// 实施清单: a base item as one region and department implement it.
final class ImplementationModel: Model, @unchecked Sendable {
    static let schema = "item_implementations"
    @ID(key: .id) var id: UUID?
    @Field(key: "base_item_id") var baseItemID: UUID
    @Field(key: "region_code") var regionCode: String
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One version of an implementation's guide, with the columns lists and search need.
final class GuideVersionModel: Model, @unchecked Sendable {
    static let schema = "guide_versions"
    @ID(key: .id) var id: UUID?
    @Field(key: "implementation_id") var implementationID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "state") var state: String
    @Field(key: "definition") var definition: String
    @Field(key: "item_code") var itemCode: String
    @Field(key: "item_name") var itemName: String
    @Field(key: "item_type") var itemType: String
    @Field(key: "department_name") var departmentName: String
    @Field(key: "region_code") var regionCode: String
    @Field(key: "topics") var topics: String
    @Field(key: "search_text") var searchText: String
    @Field(key: "created_by") var createdBy: String
    @OptionalField(key: "submitted_by") var submittedBy: String?
    @OptionalField(key: "approved_by") var approvedBy: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @Field(key: "version") var version: Int

    init() {}
}

/// A stored file, content-addressed by SHA-256.
final class StoredFileModel: Model, @unchecked Sendable {
    static let schema = "stored_files"
    @ID(custom: "sha256", generatedBy: .user) var id: String?
    @Field(key: "media_type") var mediaType: String
    @Field(key: "size") var size: Int
    @Field(key: "created_at") var createdAt: Date
    /// `catalog` for blank forms and samples the catalog stored, which `/downloads` serves;
    /// nil for a case's materials and results, which only the case's pages serve.
    @OptionalField(key: "purpose") var purpose: String?

    static let catalogPurpose = "catalog"

    init() {}
}

struct CreateCatalog: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("base_items")
            .id()
            .field("code", .string, .required)
            .field("item_type", .string, .required)
            .field("display_name", .string, .required)
            .field("department", .string, .required)
            .field("current_version", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.schema("base_item_versions")
            .id()
            .field("base_item_id", .uuid, .required, .references("base_items", "id"))
            .field("number", .int, .required)
            .field("definition", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "base_item_id", "number")
            .create()
        try await database.schema("item_implementations")
            .id()
            .field("base_item_id", .uuid, .required, .references("base_items", "id"))
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("department_id", .uuid, .required, .references("departments", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "base_item_id", "region_code")
            .create()
        try await database.schema("guide_versions")
            .id()
            .field("implementation_id", .uuid, .required, .references("item_implementations", "id"))
            .field("number", .int, .required)
            .field("state", .string, .required)
            .field("definition", .string, .required)
            .field("item_code", .string, .required)
            .field("item_name", .string, .required)
            .field("item_type", .string, .required)
            .field("department_name", .string, .required)
            .field("region_code", .string, .required)
            .field("topics", .string, .required)
            .field("search_text", .string, .required)
            .field("created_by", .string, .required)
            .field("submitted_by", .string)
            .field("approved_by", .string)
            .field("created_at", .datetime, .required)
            .field("published_at", .datetime)
            .field("version", .int, .required)
            .unique(on: "implementation_id", "number")
            .create()
        try await database.schema("stored_files")
            .field("sha256", .string, .identifier(auto: false))
            .field("media_type", .string, .required)
            .field("size", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["stored_files", "guide_versions", "item_implementations", "base_item_versions", "base_items"] {
            try await database.schema(table).delete()
        }
    }
}

extension StoredFileModel {
    /// Records a stored file once: concurrent transactions storing the same content (the
    /// same form uploaded by two applicants) both succeed. A `purpose` marks the file as
    /// such even when the same content was recorded before without one.
    static func record(sha256: String, mediaType: String, size: Int, purpose: String? = nil, at date: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.insert(into: schema)
            .columns("sha256", "media_type", "size", "created_at", "purpose")
            .values(SQLBind(sha256), SQLBind(mediaType), SQLBind(size), SQLBind(date), SQLBind(purpose))
            .ignoringConflicts(with: "sha256")
            .run()
        if let purpose {
            try await sql.update(schema).set("purpose", to: SQLBind(purpose)).set("media_type", to: SQLBind(mediaType)).set("size", to: SQLBind(size))
                .where("sha256", .equal, SQLBind(sha256)).run()
        }
    }
}
