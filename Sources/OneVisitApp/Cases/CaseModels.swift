import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

struct CreateCases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases")
            .id()
            .field("number", .string, .required)
            .field("item_code", .string, .required)
            .field("item_name", .string, .required)
            .field("implementation_id", .uuid, .required, .references("item_implementations", "id"))
            .field("guide_version_id", .uuid, .required, .references("guide_versions", "id"))
            .field("region_code", .string, .required)
            .field("department_id", .uuid, .required, .references("departments", "id"))
            .field("applicant_id", .uuid, .required, .references("accounts", "id"))
            .field("applicant_name", .string, .required)
            .field("applicant_id_number", .string)
            .field("applicant_phone", .string, .required)
            .field("channel", .string, .required)
            .field("state", .string, .required)
            .field("received_at", .datetime, .required)
            .field("received_on", .string, .required)
            .field("accepted_at", .datetime)
            .field("clock_start", .string)
            .field("acceptance_number", .string)
            .field("legal_limit", .int, .required)
            .field("promised_limit", .int, .required)
            .field("extension_days", .int, .required)
            .field("suspensions", .string, .required)
            .field("stopped_on", .string)
            .field("tolerance_deadline", .string)
            .field("fee_fen", .int, .required)
            .field("trips_promised", .int, .required)
            .field("delivery_mode", .string, .required)
            .field("delivery_detail", .string)
            .field("form_data", .string, .required)
            .field("result_sha", .string)
            .field("version", .int, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema("case_materials")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("position", .int, .required)
            .field("name", .string, .required)
            .field("importance", .string, .required)
            .field("status", .string, .required)
            .field("file_sha", .string)
            .field("file_name", .string)
            .field("source", .string)
            .create()
        try await database.schema("case_events")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("title", .string, .required)
            .field("note", .string, .required)
            .field("state_after", .string, .required)
            .create()
        try await database.schema("case_tasks")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("department_id", .uuid, .required, .references("departments", "id"))
            .field("department_name", .string, .required)
            .field("is_lead", .bool, .required)
            .field("step_name", .string, .required)
            .field("state", .string, .required)
            .field("assignee_id", .uuid)
            .field("handler_id", .uuid)
            .field("opinion", .string)
            .field("note", .string)
            .field("completed_at", .datetime)
            .field("version", .int, .required)
            .create()
        try await database.schema("case_documents")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("kind", .string, .required)
            .field("number", .string, .required)
            .field("title", .string, .required)
            .field("content", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.schema("case_visits")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("at", .datetime, .required)
            .field("reason", .string, .required)
            .field("recorded_by", .string, .required)
            .create()
        try await database.schema("payments")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("order_number", .string, .required)
            .field("amount_fen", .int, .required)
            .field("state", .string, .required)
            .field("channel", .string)
            .field("transaction_id", .string)
            .field("paid_at", .datetime)
            .unique(on: "order_number")
            .create()
        try await database.schema("violations")
            .id()
            .field("case_id", .uuid, .required, .references("cases", "id"))
            .field("kind", .string, .required)
            .field("reason", .string, .required)
            .field("actor", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.schema("counters")
            .field("name", .string, .identifier(auto: false))
            .field("value", .int, .required)
            .create()
        try await database.schema("calendar_days")
            .field("day", .string, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("year", .int, .required)
            .field("source", .string, .required)
            .create()
        try await database.schema("accounts")
            .field("absent_until", .datetime)
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("accounts").deleteField("absent_until").update()
        for table in ["calendar_days", "counters", "violations", "payments", "case_visits", "case_documents", "case_tasks", "case_events", "case_materials", "cases"] {
            try await database.schema(table).delete()
        }
    }
}

/// The lookups of the case pages, the queues and supervision at a million cases: every
/// foreign key a page follows, and the columns the dashboards group by.
struct AddCaseIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("case_events_case", "case_events", ["case_id", "at"]),
        ("case_tasks_case", "case_tasks", ["case_id"]),
        ("case_tasks_department", "case_tasks", ["department_id", "state"]),
        ("case_materials_case", "case_materials", ["case_id"]),
        ("case_documents_case", "case_documents", ["case_id"]),
        ("case_visits_case", "case_visits", ["case_id"]),
        ("payments_case", "payments", ["case_id"]),
        ("violations_case", "violations", ["case_id"]),
        ("cases_applicant", "cases", ["applicant_id", "received_at"]),
        // Covers the supervision counts and their drill-down: one range per department, no table reads.
        ("cases_supervision", "cases", ["department_id", "received_on", "state", "clock_start", "stopped_on", "due_on", "channel", "delivery_mode"]),
        ("cases_region_state", "cases", ["region_code", "state", "received_at"]),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("cases").field("due_on", .string).update()
        let sql = database as! any SQLDatabase
        for index in Self.indexes { try await Self.create(index, on: sql) }
    }

    /// IF NOT EXISTS, so the bulk seed can build the case indexes again after its load with the same call
    /// (SQLKit's index builder has no such clause; both databases take the statement as written).
    static func create(_ index: (name: String, table: String, columns: [String]), on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE INDEX IF NOT EXISTS \(ident: index.name) ON \(ident: index.table) (\(idents: index.columns, joinedBy: ", "))").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes.reversed() { try await sql.drop(index: index.name).run() }
        try await database.schema("cases").deleteField("due_on").update()
    }
}
