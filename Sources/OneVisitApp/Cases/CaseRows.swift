import Foundation
import OneVisitDomain

// The case tables' rows (issue 12): plain structs on the lean data path (`TableRow`).
// Field names follow the former Fluent models; `CodingKeys` name the columns.

/// 办件.
struct CaseRow: TableRow {
    static let table = "cases"
    var id: UUID
    var number: String
    var itemCode: String
    var itemName: String
    var implementationID: UUID
    var guideVersionID: UUID
    var regionCode: String
    var departmentID: UUID
    var applicantID: UUID
    var applicantName: String
    var applicantIDNumber: String?
    var applicantPhone: String
    var channel: CaseChannel
    var state: CaseState
    var receivedAt: Date
    var receivedOn: CalendarDate
    var acceptedAt: Date?
    var clockStart: CalendarDate?
    var acceptanceNumber: String?
    var legalLimit: Int
    var promisedLimit: Int
    var extensionDays: Int
    /// JSON of `[Suspension]`.
    var suspensions: String
    var stoppedOn: CalendarDate?
    var toleranceDeadline: CalendarDate?
    var feeFen: Int
    var tripsPromised: Int
    var deliveryMode: ServiceTerms.Delivery
    var deliveryDetail: String?
    var formData: String
    var resultSHA: String?
    var version: Int
    var updatedAt: Date
    /// The last day of the time limit, kept with every change so that supervision can count
    /// overdue and on-time cases in SQL (nil before acceptance and while suspended).
    var dueOn: CalendarDate?
    /// JSON of the `FeeCharge` the case was received with (R8.6): the condition, every line
    /// and any reduction; nil for cases from before fees were data. `feeFen` is its total.
    var feeDetail: String? = nil
    /// Where the case was accepted (R11.3.4 a, 集中受理率): set on acceptance; nil before, and
    /// when not recorded (`AcceptanceVenue.of`).
    var acceptedVia: AcceptanceVenue? = nil

    enum CodingKeys: String, CodingKey {
        case id, number, channel, state, suspensions, version
        case feeDetail = "fee_detail", acceptedVia = "accepted_via"
        case itemCode = "item_code", itemName = "item_name", implementationID = "implementation_id"
        case guideVersionID = "guide_version_id", regionCode = "region_code", departmentID = "department_id"
        case applicantID = "applicant_id", applicantName = "applicant_name", applicantIDNumber = "applicant_id_number"
        case applicantPhone = "applicant_phone", receivedAt = "received_at", receivedOn = "received_on"
        case acceptedAt = "accepted_at", clockStart = "clock_start", acceptanceNumber = "acceptance_number"
        case legalLimit = "legal_limit", promisedLimit = "promised_limit", extensionDays = "extension_days"
        case stoppedOn = "stopped_on", toleranceDeadline = "tolerance_deadline", feeFen = "fee_fen"
        case tripsPromised = "trips_promised", deliveryMode = "delivery_mode", deliveryDetail = "delivery_detail"
        case formData = "form_data", resultSHA = "result_sha", updatedAt = "updated_at", dueOn = "due_on"
    }
}

/// A material of a case and where it stands.
struct CaseMaterialRow: TableRow {
    static let table = "case_materials"
    var id: UUID
    var caseID: UUID
    var position: Int
    var name: String
    var importance: MaterialRequirement.Importance
    var status: MaterialStatus
    var fileSHA: String?
    var fileName: String?
    var source: String?
    /// The uploaded file's media type as sniffed from its content, and its size in bytes.
    var mediaType: String?
    var size: Int?

    enum CodingKeys: String, CodingKey {
        case id, position, name, importance, status, source, size
        case caseID = "case_id", fileSHA = "file_sha", fileName = "file_name", mediaType = "media_type"
    }
}

/// Every state change and step, in order (R6.1 every step can be queried).
struct CaseEventRow: TableRow {
    static let table = "case_events"
    var id: UUID
    var caseID: UUID
    var at: Date
    var actor: String
    var action: String
    var title: String
    var note: String
    var stateAfter: CaseState

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action, title, note
        case caseID = "case_id", stateAfter = "state_after"
    }
}

/// 部门任务 for parallel review (R6.7, R8.3, R8.4).
struct CaseTaskRow: TableRow {
    static let table = "case_tasks"
    var id: UUID
    var caseID: UUID
    var departmentID: UUID
    var departmentName: String
    var isLead: Bool
    var stepName: String
    var state: TaskState
    var assigneeID: UUID?
    var handlerID: UUID?
    var opinion: String?
    var note: String?
    var completedAt: Date?
    var version: Int

    enum CodingKeys: String, CodingKey {
        case id, state, opinion, note, version
        case caseID = "case_id", departmentID = "department_id", departmentName = "department_name"
        case isLead = "is_lead", stepName = "step_name", assigneeID = "assignee_id", handlerID = "handler_id"
        case completedAt = "completed_at"
    }
}

/// A numbered document of a case: receipt, slip, notice, decision, result.
struct CaseDocumentRow: TableRow {
    static let table = "case_documents"
    var id: UUID
    var caseID: UUID
    var kind: CaseDocumentKind
    var number: String
    var title: String
    /// JSON of the document's content (`CaseDocumentContent`).
    var content: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, number, title, content
        case caseID = "case_id", createdAt = "created_at"
    }
}

/// An in-person visit (R3.8).
struct CaseVisitRow: TableRow {
    static let table = "case_visits"
    var id: UUID
    var caseID: UUID
    var at: Date
    var reason: String
    var recordedBy: String

    enum CodingKeys: String, CodingKey {
        case id, at, reason
        case caseID = "case_id", recordedBy = "recorded_by"
    }
}

/// 支付单 (R8.6).
struct PaymentRow: TableRow {
    static let table = "payments"
    var id: UUID
    var caseID: UUID
    var orderNumber: String
    var amountFen: Int
    var state: PaymentState
    var channel: PaymentChannel?
    var transactionID: String?
    var paidAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, state, channel
        case caseID = "case_id", orderNumber = "order_number", amountFen = "amount_fen"
        case transactionID = "transaction_id", paidAt = "paid_at"
    }
}

/// A recorded violation, e.g. a supervisor's override of the one-time-notice rule (R11.3.5).
struct ViolationRow: TableRow {
    static let table = "violations"
    var id: UUID
    var caseID: UUID
    var kind: String
    var reason: String
    var actor: String
    var at: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, reason, actor, at
        case caseID = "case_id"
    }
}

/// The work calendar as data: statutory holidays and adjusted working days.
struct CalendarDayRow: TableRow {
    static let table = "calendar_days"
    /// YYYY-MM-DD.
    var day: String
    /// holiday or workday.
    var kind: String
    var year: Int
    var source: String
}
