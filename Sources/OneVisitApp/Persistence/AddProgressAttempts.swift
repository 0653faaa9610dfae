import FluentKit

/// Issue 10 item 6: wrong tries of the public progress query per case number and per
/// address (`ProgressThrottle`), counted in the database so that every instance sees them.
/// `key_hash` is the SHA-256 of the scope and its value: the table holds no case numbers
/// or addresses.
struct AddProgressAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("progress_attempts")
            .field("key_hash", .string, .identifier(auto: false))
            .field("window_start", .datetime, .required)
            .field("tries", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("progress_attempts").delete()
    }
}
