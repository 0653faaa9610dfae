import FluentKit
import SQLKit

/// Every submit looks up its implementation's published guide version (issue 12: the guide
/// itself comes from `GuideCache`); without an index that lookup scanned `guide_versions`.
struct AddGuideVersionIndex: AsyncMigration {
    static let index = (name: "guide_versions_implementation_state", table: "guide_versions", columns: ["implementation_id", "state"])

    func prepare(on database: any Database) async throws {
        try await AddCaseIndexes.create(Self.index, on: database.sql)
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: Self.index.name).run()
    }
}
