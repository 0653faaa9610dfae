import FluentKit
import FluentSQL

/// Marks the stored files the catalog put there (blank forms, samples), the only ones
/// `/downloads` serves: an applicant's materials and a case's results share the store.
struct AddFilePurpose: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("stored_files").field("purpose", .string).update()
        // Files stored before: the catalog recorded its own with their media type (a case
        // records materials as application/octet-stream) and they are no case's result; a file
        // that a guide names is the catalog's whoever recorded it first.
        try await (database as! any SQLDatabase).raw("""
            UPDATE stored_files SET purpose = 'catalog'
            WHERE (media_type <> 'application/octet-stream'
                   AND sha256 NOT IN (SELECT result_sha FROM cases WHERE result_sha IS NOT NULL)
                   AND sha256 NOT IN (SELECT file_sha FROM case_materials WHERE file_sha IS NOT NULL))
               OR EXISTS (SELECT 1 FROM guide_versions WHERE guide_versions.definition LIKE ('%' || stored_files.sha256 || '%'))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("stored_files").deleteField("purpose").update()
    }
}
