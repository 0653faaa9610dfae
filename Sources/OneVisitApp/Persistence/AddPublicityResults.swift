import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

/// Issue 14 point 4 (R8.5.6): the public register of granted decisions that must be publicised
/// (`PublicityRow`), written in the approval's transaction. It holds only what is public, the
/// holder's name already masked for a natural person, so the public read path never touches the
/// cases table or personal data. Newest first is one index (`published_at`, `id`); a decision
/// number is found by its own index. Cases approved before this migration whose item was
/// publicised (their `publicise` event) are entered from their decision document.
struct AddPublicityResults: AsyncMigration {
    static let newestIndex = "publicity_results_newest"
    static let numberIndex = "publicity_results_number"

    func prepare(on database: any Database) async throws {
        try await database.schema(PublicityRow.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("published_at", .datetime, .required)
            .field("decided_on", .string, .required)
            .field("item_code", .string, .required)
            .field("item_name", .string, .required)
            .field("holder_name", .string, .required)
            .field("holder_is_organisation", .bool, .required)
            .field("decision_title", .string, .required)
            .field("decision_number", .string, .required)
            .field("organ", .string, .required)
            .field("region_code", .string, .required)
            .field("region_name", .string, .required)
            .create()
        let sql = database.sql
        try await sql.create(index: Self.newestIndex).on(PublicityRow.table).column("published_at").column("id").run()
        try await sql.create(index: Self.numberIndex).on(PublicityRow.table).column("decision_number").run()
        try await Self.backfill(on: database)
    }

    /// The cases whose approval already recorded the `publicise` event, published as of that event.
    static func backfill(on database: any Database) async throws {
        struct Published: Decodable { var case_id: UUID; var at: Date }
        let sql = database.sql
        let events = try await sql.select().column("case_id").column("at").from(CaseEventRow.table).where("action", .equal, "publicise")
            .all(decoding: Published.self)
        for event in events {
            guard let c = try await CaseRow.find(event.case_id, on: sql), let row = try await PublicityRow.of(c, at: event.at, on: database) else { continue }
            try await row.insert(on: sql)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PublicityRow.table).delete()
    }
}
