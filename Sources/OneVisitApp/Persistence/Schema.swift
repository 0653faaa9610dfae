import FluentKit
import OneVisitDomain

/// The one migration history, for SQLite and PostgreSQL alike. Append only.
enum Schema {
    static let migrations: [any Migration] = [
        CreateOrganisation(),
        CreateAccounts(),
        CreateAudit(),
        CreateIdempotencyRecords(),
        CreateCatalog(),
        CreateCases(),
        LoadOfficialCalendar(),
        AddCaseIndexes(),
        AddAccountSecurity(),
        AddFilePurpose(),
        AddProgressAttempts(),
        AddMaterialFileFacts(),
        AddKPICounters(),
        AddGuideVersionIndex(),
        AddCaseFeeDetail(),
        AddOrganKinds(),
        AddAcceptanceVenue(),
        AddPublicityResults(),
    ]
}

struct CreateOrganisation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("regions")
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .string, .required)
            .field("parent_code", .string, .references("regions", "code"))
            .create()
        try await database.schema("departments")
            .id()
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("name", .string, .required)
            .field("field", .string, .required)
            .unique(on: "region_code", "name")
            .create()
        try await database.schema("service_centres")
            .id()
            .field("region_code", .string, .required, .references("regions", "code"))
            .field("name", .string, .required)
            .field("address", .string, .required)
            .field("phone", .string, .required)
            .field("hours", .string, .required)
            .create()
        try await database.schema("windows")
            .id()
            .field("centre_id", .uuid, .required, .references("service_centres", "id"))
            .field("number", .string, .required)
            .field("kind", .string, .required)
            .field("field", .string, .required)
            .field("department_id", .uuid, .references("departments", "id"))
            .unique(on: "centre_id", "number")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["windows", "service_centres", "departments", "regions"] {
            try await database.schema(table).delete()
        }
    }
}

struct CreateAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("accounts")
            .id()
            .field("login_name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("display_name", .string, .required)
            .field("applicant_type", .string)
            .field("id_number", .string)
            .field("credit_code", .string)
            .field("legal_representative", .string)
            .field("contact_name", .string)
            .field("phone", .string)
            .field("department_id", .uuid, .references("departments", "id"))
            .field("region_code", .string, .references("regions", "code"))
            .field("totp_secret", .string)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("version", .int, .required)
            .unique(on: "login_name")
            .unique(on: "id_number")
            .unique(on: "credit_code")
            .create()
        try await database.schema("sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("account_id", .uuid, .required, .references("accounts", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema("posts")
            .id()
            .field("name", .string, .required)
            .field("department_id", .uuid, .references("departments", "id"))
            .field("window_id", .uuid, .references("windows", "id"))
            .field("holder_a_id", .uuid, .references("accounts", "id"))
            .field("holder_b_id", .uuid, .references("accounts", "id"))
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["posts", "sessions", "accounts"] {
            try await database.schema(table).delete()
        }
    }
}

struct CreateAudit: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_records")
            .id()
            .field("sequence", .int64, .required)
            .field("occurred_at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string, .required)
            .field("address", .string, .required)
            .field("detail", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "sequence")
            .create()
        try await database.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("last_sequence", .int64, .required)
            .field("last_hash", .string, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_head").delete()
        try await database.schema("audit_records").delete()
    }
}

struct CreateIdempotencyRecords: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("idempotency_records")
            .id()
            .field("scope_key", .string, .required)
            .field("request_hash", .string, .required)
            .field("status", .int)
            .field("content_type", .string)
            .field("body", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "scope_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("idempotency_records").delete()
    }
}

/// The State Council's holiday schedules 2020–2026 as calendar data; later years come in
/// with `onevisit calendar import FILE`.
struct LoadOfficialCalendar: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await CalendarStore.importSchedules(OfficialSchedules.all, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.sql.delete(from: CalendarDayRow.table).run()
    }
}
