import FluentKit

/// Issue 10 (items 3, 4, 7, 14): the sign-in failure count per login name, known or not
/// (`login_throttle`, supersedes `accounts.failed_logins`/`locked_until`, which are no
/// longer read); the last TOTP time step used per account; window-issued claim codes.
struct AddAccountSecurity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("accounts")
            .field("totp_last_step", .int64)
            .update()
        try await database.schema("login_throttle")
            .field("login_hash", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("claim_codes")
            .id()
            .field("account_id", .uuid, .required, .references("accounts", "id"))
            .field("code_hash", .string, .required)
            .field("issued_by", .uuid, .required, .references("accounts", "id"))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("failures", .int, .required)
            .unique(on: "account_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("claim_codes").delete()
        try await database.schema("login_throttle").delete()
        try await database.schema("accounts").deleteField("totp_last_step").update()
    }
}
