import Foundation
import HummingbirdTesting
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// Zhengzhou 不动产首次登记 (QR00811001) cases of 张三 in each main state, made through the
/// API as in the case-flow tests. The clock moves a minute after every step, so events and
/// documents have distinct times and list in the same order on SQLite and PostgreSQL.
struct CaseFixtures {
    var received: CaseDetail
    var awaitingCorrection: CaseDetail
    var underReview: CaseDetail
    var rejected: CaseDetail
    var notAccepted: CaseDetail
    /// Approved, to be collected at the window (its fee, if any, unpaid).
    var approvedPickup: CaseDetail
    /// Approved, paid online and delivered: the applicant downloaded the result.
    var delivered: CaseDetail

    var all: [CaseDetail] { [received, awaitingCorrection, underReview, rejected, notAccepted, approvedPickup, delivered] }

    static let code = "QR00811001"
    static let applicant = "13800000001"
    static let clerk = "clerk.zz"
    static let leadHead = "head.zz.zr"

    static func make(_ app: TestApp) async throws -> CaseFixtures {
        let implementation = try await CaseFlowTests.implementation(app, code: code)
        let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
        let applicant = try await app.token(Self.applicant)

        func submit(mode: String = "pickup", files: [Int]? = nil) async throws -> CaseDetail {
            let response = try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: files ?? required, mode: mode)
            try expectSuccess(response, "submit")
            app.clock.advance(by: 60)
            return try CaseFlowTests.detail(response)
        }
        func step(_ login: String, _ id: UUID, _ path: String, _ body: String = "{}") async throws -> CaseDetail {
            let response = try await CaseFlowTests.step(app, try await app.token(login), "/api/v1/cases/\(id)/\(path)", body)
            try expectSuccess(response, "\(login) \(path)")
            app.clock.advance(by: 60)
            return try CaseFlowTests.detail(response)
        }
        func review(_ c: CaseDetail, approve: Bool) async throws -> CaseDetail {
            var c = c
            for task in c.tasks.sorted(by: { $0.departmentName < $1.departmentName }) {
                let reviewer = task.departmentName.contains("税务") ? "reviewer.zz.sw" : "reviewer.zz.zr"
                let body = approve ? #"{"approve":true,"note":"材料齐全，符合要求"}"# : #"{"approve":false,"note":"申请材料与实际情况不符"}"#
                c = try await step(reviewer, c.summary.id, "tasks/\(task.id)/complete", body)
            }
            return c
        }

        let received = try await submit()
        var awaiting = try await submit(files: Array(required.dropFirst()))
        let missing = awaiting.materials.filter(\.missing).map(\.name)
        let items = missing.map { #"{"material":"\#($0)","instruction":"请提交加盖公章的原件"}"# }.joined(separator: ",")
        awaiting = try await step(Self.clerk, awaiting.summary.id, "notice", #"{"items":[\#(items)]}"#)

        let underReview = try await step(Self.clerk, try await submit().summary.id, "accept")

        var rejected = try await step(Self.clerk, try await submit().summary.id, "accept")
        rejected = try await review(rejected, approve: false)
        rejected = try await step(Self.leadHead, rejected.summary.id, "decide", #"{"decision":"reject","reason":"申请登记的不动产权属存在争议"}"#)

        let notAccepted = try await step(Self.clerk, try await submit().summary.id, "refuse", #"{"reason":"申请事项依法不需要取得行政许可"}"#)

        var pickup = try await step(Self.clerk, try await submit().summary.id, "accept")
        pickup = try await review(pickup, approve: true)
        pickup = try await step(Self.leadHead, pickup.summary.id, "decide", #"{"decision":"approve"}"#)

        var download = try await step(Self.clerk, try await submit(mode: "download").summary.id, "accept")
        download = try await review(download, approve: true)
        download = try await step(Self.leadHead, download.summary.id, "decide", #"{"decision":"approve"}"#)
        // the fee paid online, as the gateway's signed callback says: the result is ready to download
        if let payment = try await app.rows(PaymentRow.self, where: ["case_id": download.summary.id]).first {
            let signature = PaymentSignature.sign(orderNumber: payment.orderNumber, amountFen: payment.amountFen, transactionID: "T-FIXTURE",
                                                  secret: try #require(app.services.cases.paymentSecret))
            let callback = #"{"orderNumber":"\#(payment.orderNumber)","amountFen":\#(payment.amountFen),"transactionID":"T-FIXTURE","signature":"\#(signature)"}"#
            try expectSuccess(try await app.json(.post, "/api/v1/payments/callback", body: callback), "payment callback")
            app.clock.advance(by: 60)
        }
        // the download (a POST) delivers the result
        try expectSuccess(try await app.json(.post, "/api/v1/cases/\(download.summary.id)/result", token: applicant), "result download")
        app.clock.advance(by: 60)
        download = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(download.summary.id)", token: applicant))
        return CaseFixtures(received: received, awaitingCorrection: awaiting, underReview: underReview, rejected: rejected,
                            notAccepted: notAccepted, approvedPickup: pickup, delivered: download)
    }

    private static func expectSuccess(_ response: TestResponse, _ what: String) throws {
        guard response.status.code < 300 else { throw TestFailure("fixture step \(what) answered \(response.status.code): \(response.text.prefix(300))") }
    }
}

/// Reading the case tables (`TableRow`s) in a test, as the app does: SQLKit into row structs.
extension TestApp {
    /// The case with this id, if any.
    func caseRow(_ id: UUID) async throws -> CaseRow? { try await CaseRow.find(id, on: db.sql) }

    /// The rows of `R`'s table whose columns equal the values given (all rows for none), in the database's order.
    func rows<R: TableRow>(_ type: R.Type, where conditions: KeyValuePairs<String, any Encodable & Sendable> = [:]) async throws -> [R] {
        let query = R.select(on: db.sql)
        for (column, value) in conditions { query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        return try await query.rows(R.self)
    }

    /// How many rows of `R`'s table have columns equal to the values given (all rows for none).
    func count<R: TableRow>(_ type: R.Type, where conditions: KeyValuePairs<String, any Encodable & Sendable> = [:]) async throws -> Int {
        let query = db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(R.table)
        for (column, value) in conditions { query.where(SQLIdentifier(column), .equal, SQLBind(value)) }
        return try await query.first(decodingColumn: "n", as: Int.self) ?? 0
    }
}
