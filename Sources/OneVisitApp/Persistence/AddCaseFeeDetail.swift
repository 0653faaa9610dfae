import FluentKit

/// Issue 13 point 1 (R8.6): a case keeps the fee lines it is charged (the condition chosen,
/// each line with its standard and legal basis, any 减免) as JSON of `FeeCharge`, so the
/// payment order and the approval decision list every line; `fee_fen` stays the total.
/// Cases from before stay NULL and show their total only.
struct AddCaseFeeDetail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases").field("fee_detail", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("cases").deleteField("fee_detail").update()
    }
}
