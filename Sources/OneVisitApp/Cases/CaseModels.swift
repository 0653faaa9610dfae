import FluentKit
import FluentSQL
import Foundation
import OneVisitDomain

/// 办件.
final class CaseModel: Model, @unchecked Sendable {
    static let schema = "cases"
    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    @Field(key: "item_code") var itemCode: String
    @Field(key: "item_name") var itemName: String
    @Field(key: "implementation_id") var implementationID: UUID
    @Field(key: "guide_version_id") var guideVersionID: UUID
    @Field(key: "region_code") var regionCode: String
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "applicant_id") var applicantID: UUID
    @Field(key: "applicant_name") var applicantName: String
    @OptionalField(key: "applicant_id_number") var applicantIDNumber: String?
    @Field(key: "applicant_phone") var applicantPhone: String
    @Field(key: "channel") var channel: CaseChannel
    @Field(key: "state") var state: CaseState
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "received_on") var receivedOn: CalendarDate
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "clock_start") var clockStart: CalendarDate?
    @OptionalField(key: "acceptance_number") var acceptanceNumber: String?
    @Field(key: "legal_limit") var legalLimit: Int
    @Field(key: "promised_limit") var promisedLimit: Int
    @Field(key: "extension_days") var extensionDays: Int
    @Field(key: "suspensions") var suspensions: String
    @OptionalField(key: "stopped_on") var stoppedOn: CalendarDate?
    @OptionalField(key: "tolerance_deadline") var toleranceDeadline: CalendarDate?
    @Field(key: "fee_fen") var feeFen: Int
    @Field(key: "trips_promised") var tripsPromised: Int
    @Field(key: "delivery_mode") var deliveryMode: ServiceTerms.Delivery
    @OptionalField(key: "delivery_detail") var deliveryDetail: String?
    @Field(key: "form_data") var formData: String
    @OptionalField(key: "result_sha") var resultSHA: String?
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date
    /// The last day of the time limit, kept with every change so that supervision can count
    /// overdue and on-time cases in SQL (nil before acceptance and while suspended).
    @OptionalField(key: "due_on") var dueOn: CalendarDate?

    init() {}
}

/// A material of a case and where it stands.
final class CaseMaterialModel: Model, @unchecked Sendable {
    static let schema = "case_materials"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "name") var name: String
    @Field(key: "importance") var importance: MaterialRequirement.Importance
    @Field(key: "status") var status: MaterialStatus
    @OptionalField(key: "file_sha") var fileSHA: String?
    @OptionalField(key: "file_name") var fileName: String?
    @OptionalField(key: "source") var source: String?
    /// The uploaded file's media type as sniffed from its content, and its size in bytes.
    @OptionalField(key: "media_type") var mediaType: String?
    @OptionalField(key: "size") var size: Int?

    init() {}
}

/// Every state change and step, in order (R6.1 every step can be queried).
final class CaseEventModel: Model, @unchecked Sendable {
    static let schema = "case_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    @Field(key: "action") var action: String
    @Field(key: "title") var title: String
    @Field(key: "note") var note: String
    @Field(key: "state_after") var stateAfter: CaseState

    init() {}
}

/// 部门任务 for parallel review (R6.7, R8.3, R8.4).
final class CaseTaskModel: Model, @unchecked Sendable {
    static let schema = "case_tasks"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "department_id") var departmentID: UUID
    @Field(key: "department_name") var departmentName: String
    @Field(key: "is_lead") var isLead: Bool
    @Field(key: "step_name") var stepName: String
    @Field(key: "state") var state: TaskState
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @OptionalField(key: "handler_id") var handlerID: UUID?
    @OptionalField(key: "opinion") var opinion: String?
    @OptionalField(key: "note") var note: String?
    @OptionalField(key: "completed_at") var completedAt: Date?
    @Field(key: "version") var version: Int

    init() {}
}

/// A numbered document of a case: receipt, slip, notice, decision, result.
final class CaseDocumentModel: Model, @unchecked Sendable {
    static let schema = "case_documents"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: CaseDocumentKind
    @Field(key: "number") var number: String
    @Field(key: "title") var title: String
    /// JSON of the document's content (`CaseDocument.Content`).
    @Field(key: "content") var content: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// An in-person visit (R3.8).
final class CaseVisitModel: Model, @unchecked Sendable {
    static let schema = "case_visits"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "at") var at: Date
    @Field(key: "reason") var reason: String
    @Field(key: "recorded_by") var recordedBy: String

    init() {}
}

/// 支付单 (R8.6).
final class PaymentModel: Model, @unchecked Sendable {
    static let schema = "payments"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "order_number") var orderNumber: String
    @Field(key: "amount_fen") var amountFen: Int
    @Field(key: "state") var state: PaymentState
    @OptionalField(key: "channel") var channel: PaymentChannel?
    @OptionalField(key: "transaction_id") var transactionID: String?
    @OptionalField(key: "paid_at") var paidAt: Date?

    init() {}
}

/// A recorded violation, e.g. a supervisor's override of the one-time-notice rule (R11.3.5).
final class ViolationModel: Model, @unchecked Sendable {
    static let schema = "violations"
    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "reason") var reason: String
    @Field(key: "actor") var actor: String
    @Field(key: "at") var at: Date

    init() {}
}

/// Per-name sequence numbers for documents (受理号, 告知书号, 决定书号).
final class CounterModel: Model, @unchecked Sendable {
    static let schema = "counters"
    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: Int

    init() {}
}

/// The work calendar as data: statutory holidays and adjusted working days.
final class CalendarDayModel: Model, @unchecked Sendable {
    static let schema = "calendar_days"
    @ID(custom: "day", generatedBy: .user) var id: String?
    /// holiday or workday.
    @Field(key: "kind") var kind: String
    @Field(key: "year") var year: Int
    @Field(key: "source") var source: String

    init() {}
}

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
