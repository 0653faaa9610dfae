import FluentKit

/// Issue 11 item 2: an uploaded material keeps its real media type (sniffed from its
/// content) and its size, known at upload time; rows from before stay nil.
struct AddMaterialFileFacts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("case_materials").field("media_type", .string).update()
        try await database.schema("case_materials").field("size", .int).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("case_materials").deleteField("size").update()
        try await database.schema("case_materials").deleteField("media_type").update()
    }
}
