import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// The case from application to delivery, through the API as other systems use it.
@Suite("Case flow")
struct CaseFlowTests {
    static let pdf = Data("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8)

    /// The published guide of `code` in `region`.
    static func implementation(_ app: TestApp, code: String, region: String = "410100") async throws -> UUID {
        let version = try await GuideVersionModel.query(on: app.db).filter(\.$itemCode == code).filter(\.$regionCode == region).filter(\.$state == "published").first()
        return try #require(version).implementationID
    }

    /// Submits an application with files for the given material positions.
    static func submit(_ app: TestApp, token: String, implementation: UUID, files: [Int], mode: String = "download", key: String? = nil) async throws -> TestResponse {
        let materials = files.map { #"{"position":\#($0),"fileName":"m\#($0).pdf","contentBase64":"\#(pdf.base64EncodedString())"}"# }.joined(separator: ",")
        var headers: HTTPFields = [:]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await app.json(.post, "/api/v1/cases", token: token, body: #"{"implementationID":"\#(implementation)","deliveryMode":"\#(mode)","formData":{"申请人":"张三"},"feeCondition":"住宅","materials":[\#(materials)]}"#, headers: headers)
    }

    /// The published definition and the positions of the materials the applicant hands in.
    static func requiredMaterials(_ app: TestApp, _ implementation: UUID) async throws -> (ItemDefinition, [Int]) {
        let version = try #require(try await GuideVersionModel.query(on: app.db).filter(\.$implementationID == implementation).filter(\.$state == "published").first())
        let definition = try CatalogService.decode(version.definition)
        return (definition, definition.attributes.materials.enumerated().filter { $0.element.requiredFromApplicant }.map(\.offset))
    }

    static func detail(_ response: TestResponse) throws -> CaseDetail {
        try JSONDecoder().decode(CaseDetail.self, from: Data(buffer: response.body))
    }

    @discardableResult
    static func step(_ app: TestApp, _ token: String, _ path: String, _ body: String = "{}") async throws -> TestResponse {
        try await app.json(.post, path, token: token, body: body)
    }

    @Test func onlineCase_toleranceParallelReviewSupplyApprovePayDownload_zeroTrips() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 不动产首次登记 in Zhengzhou: two primary uploads, the secondary 授权委托书 left out
            let implementation = try await Self.implementation(app, code: "QR00811001")
            let applicant = try await app.token("13800000001")
            let clerk = try await app.token("clerk.zz")
            let submitted = try await Self.submit(app, token: applicant, implementation: implementation, files: [0, 4])
            #expect(submitted.status == .created, "\(submitted.text)")
            var c = try Self.detail(submitted)
            let id = c.summary.id
            #expect(c.summary.state == "received")
            #expect(CaseNumber.isWellFormed(c.summary.number))
            #expect(c.documents.map(\.title) == ["电子回执"])
            #expect(c.materials.filter(\.missing).map(\.name) == ["授权委托书（委托他人办理的提供）"])
            #expect(c.materials.filter { $0.status == "platform" }.count == 3)

            // a plain acceptance is refused while a material is missing; tolerance acceptance works
            let plain = try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept")
            #expect(plain.status == .conflict)
            #expect(try plain.problem().code == "case.materials_incomplete")
            c = try Self.detail(try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept", #"{"tolerance":true,"toleranceDays":5}"#))
            #expect(c.summary.state == "underReview")
            #expect(c.toleranceDeadlineText != nil)
            #expect(c.documents.map(\.title).contains("容缺受理通知书"))
            #expect(Set(c.tasks.map(\.departmentName)) == ["郑州市自然资源和规划局", "国家税务总局郑州市税务局"])
            #expect(c.summary.clock.limit == 5)
            #expect(c.summary.clock.started)

            // two departments review in parallel; the case waits for both
            let land = try await app.token("reviewer.zz.zr")
            let tax = try await app.token("reviewer.zz.sw")
            let landTask = try #require(c.tasks.first { $0.departmentName.contains("自然资源") })
            let taxTask = try #require(c.tasks.first { $0.departmentName.contains("税务") })
            // the tax reviewer may not answer for the land department
            #expect(try await Self.step(app, tax, "/api/v1/cases/\(id)/tasks/\(landTask.id)/complete", #"{"approve":true}"#).status == .forbidden)
            c = try Self.detail(try await Self.step(app, land, "/api/v1/cases/\(id)/tasks/\(landTask.id)/complete", #"{"approve":true,"note":"权属清楚"}"#))
            #expect(c.summary.state == "underReview")
            c = try Self.detail(try await Self.step(app, tax, "/api/v1/cases/\(id)/tasks/\(taxTask.id)/complete", #"{"approve":true,"note":"税费已核定"}"#))
            #expect(c.summary.state == "reviewed")

            // no approval while the tolerated material is outstanding
            let head = try await app.token("head.zz.zr")
            let early = try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#)
            #expect(try early.problem().code == "case.supplement_outstanding")

            // the applicant supplies it
            let missing = try #require(c.materials.first { $0.missing })
            let supplied = try await app.client.execute(uri: "/api/v1/cases/\(id)/materials/\(missing.id)/file?name=wt.pdf", method: .post,
                                                        headers: [.authorization: "Bearer \(applicant)"], body: ByteBuffer(bytes: Self.pdf))
            #expect(supplied.status == .ok, "\(supplied.text)")
            #expect(try Self.detail(supplied).toleranceDeadlineText == nil)

            c = try Self.detail(try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#))
            #expect(c.summary.state == "approved")
            let payment = try #require(c.payment)
            #expect(payment.amountText == "80.00 元")
            #expect(payment.paid == false)

            // the result cannot be downloaded before paying, nor served before it was delivered
            let unpaid = try await app.json(.post, "/api/v1/cases/\(id)/result", token: applicant)
            #expect(unpaid.status == .conflict)
            #expect(try unpaid.problem().code == "case.payment_outstanding")
            let undelivered = try await app.client.execute(uri: "/cases/\(id)/result", method: .get, headers: [.authorization: "Bearer \(applicant)"])
            #expect(undelivered.status == .conflict)

            // the gateway's callback: a forged signature is refused, a duplicate changes nothing
            let order = payment.orderNumber
            let forged = try await app.json(.post, "/api/v1/payments/callback", body: #"{"orderNumber":"\#(order)","amountFen":8000,"transactionID":"T1","signature":"00"}"#)
            #expect(forged.status == .unauthorized)
            let signature = PaymentSignature.sign(orderNumber: order, amountFen: 8000, transactionID: "T1", secret: app.services.cases.paymentSecret!)
            let callback = #"{"orderNumber":"\#(order)","amountFen":8000,"transactionID":"T1","signature":"\#(signature)"}"#
            #expect(try await app.json(.post, "/api/v1/payments/callback", body: callback).text.contains("\"duplicate\":false"))
            #expect(try await app.json(.post, "/api/v1/payments/callback", body: callback).text.contains("\"duplicate\":true"))
            #expect(try await app.count(CaseEventRow.self, where: ["case_id": id, "action": "pay"]) == 1)

            // the download (a POST) delivers the result; a GET serves it from then on
            let result = try await app.json(.post, "/api/v1/cases/\(id)/result", token: applicant)
            #expect(result.status == .ok)
            #expect(String(buffer: result.body).hasPrefix("%PDF-"))
            let again = try await app.client.execute(uri: "/cases/\(id)/result", method: .get, headers: [.authorization: "Bearer \(applicant)"])
            #expect(again.status == .ok)
            #expect(again.body == result.body)
            c = try Self.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicant))
            #expect(c.summary.state == "delivered")
            #expect(c.trips == 0)
            // the case's files are not public downloads, even by their hash
            let result_sha = try #require(try await app.caseRow(id)?.resultSHA)
            #expect(try await app.page("/downloads/\(result_sha)/x.pdf").status == .notFound)
            let material = try #require(try await app.rows(CaseMaterialRow.self, where: ["case_id": id]).first { $0.fileSHA != nil }?.fileSHA)
            #expect(try await app.page("/downloads/\(material)/x.pdf").status == .notFound)
            #expect(c.summary.clock.status == "stopped")
            #expect((try await AuditReport.run(on: app.services)).firstBreak == nil)
        }
    }

    @Test func windowCase_noticeCorrectionAcceptanceRejectionWithRights() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let clerk = try await app.token("clerk.zz")
            let (_, required) = try await Self.requiredMaterials(app, implementation)
            // a walk-in with only the first material
            let registered = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: #"{"implementationID":"\#(implementation)","channel":"walkIn","name":"王五","idNumber":"410203198512154568","phone":"13712345678","providedMaterials":[\#(required[0])]}"#)
            #expect(registered.status == .created, "\(registered.text)")
            var c = try Self.detail(registered)
            let id = c.summary.id
            #expect(c.trips == 1)
            #expect(c.summary.channelName == "窗口现场")
            // the walk-in's account exists, so registering online later finds the case (R8.2.5)
            let account = try #require(try await AccountRow.select(on: app.db.sql).where("id_number", .equal, "410203198512154568").limit(1).row(AccountRow.self))
            #expect(account.passwordHash == AccountService.unclaimedPassword)

            let missing = c.materials.filter(\.missing).map(\.name)
            #expect(missing.count == required.count - 1)
            let items = missing.map { #"{"material":"\#($0)","instruction":"请提交加盖公章的原件"}"# }.joined(separator: ",")
            c = try Self.detail(try await Self.step(app, clerk, "/api/v1/cases/\(id)/notice", #"{"items":[\#(items)]}"#))
            #expect(c.summary.state == "awaitingCorrection")
            #expect(c.documents.contains { $0.title == "一次性告知书" })

            // corrections come in; a second notice asking for something new is refused
            c = try Self.detail(try await Self.step(app, clerk, "/api/v1/cases/\(id)/resubmit"))
            #expect(c.summary.state == "received")
            let newItem = try await Self.step(app, clerk, "/api/v1/cases/\(id)/notice", #"{"items":[{"material":"\#(c.materials[required[0]].name)","instruction":"重新提交"}]}"#)
            #expect(newItem.status == .conflict)
            #expect(try newItem.problem().code == "case.notice_not_one_time")
            #expect(try await app.count(ViolationRow.self) == 0)

            c = try Self.detail(try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept"))
            #expect(c.summary.state == "underReview")
            #expect(c.acceptanceNumber?.hasPrefix("410100SL2026") == true)
            let reviewer = try await app.token("reviewer.zz")
            for task in c.tasks {
                let token = task.departmentName.contains("市场监督") ? reviewer : try await app.token("head.zz")
                _ = try await Self.step(app, token, "/api/v1/cases/\(id)/tasks/\(task.id)/complete", #"{"approve":false,"note":"经营场所与食品安全要求不符"}"#)
            }
            c = try Self.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: clerk))
            #expect(c.summary.state == "reviewed")
            let head = try await app.token("head.zz")
            let noReason = try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"reject"}"#)
            #expect(try noReason.problem().code == "decision.reason_required")
            c = try Self.detail(try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"reject","reason":"经营场所不符合食品安全要求"}"#))
            #expect(c.summary.state == "rejected")
            let decision = try #require(try await app.rows(CaseDocumentRow.self, where: ["case_id": id, "title": "不予行政许可决定书"]).first)
            let content = try #require(CaseDocumentContent.decode(decision.content))
            let rights = content.paragraphs.joined()
            // R8.5.5: a city department's act is reconsidered by the city's government only (行政复议法第二十四条)
            #expect(rights.contains("止）向郑州市人民政府申请行政复议"))
            #expect(!rights.contains("河南省市场监督管理局"))
            #expect(rights.contains("止）直接向有管辖权的人民法院提起行政诉讼"))
            let page = try await app.client.execute(uri: "/cases/\(id)/documents/\(decision.id)", method: .get, headers: [.authorization: "Bearer \(clerk)"])
            #expect(page.text.contains("六十日内"))
        }
    }

    @Test func fiftyConcurrentAccepts_exactlyOneWins() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let (_, all) = try await Self.requiredMaterials(app, implementation)
            let id = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: all, mode: "pickup")).summary.id
            let clerk = try await app.token("clerk.zz")
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await app.json(.post, "/api/v1/cases/\(id)/accept", token: clerk, body: #"{"version":1}"#).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 49)
            #expect(try await app.count(CaseEventRow.self, where: ["case_id": id, "action": "accept"]) == 1)
            let c = try #require(try await app.caseRow(id))
            #expect(c.version == 2)
            #expect(try await app.count(CaseDocumentRow.self, where: ["case_id": id, "kind": CaseDocumentKind.acceptanceSlip]) == 1)
        }
    }

    @Test func illegalTransitions_are409WithTheirCode() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let (_, all) = try await Self.requiredMaterials(app, implementation)
            let id = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: all, mode: "pickup")).summary.id
            let clerk = try await app.token("clerk.zz")
            let head = try await app.token("head.zz")
            // decide before review
            let early = try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#)
            #expect(early.status == .conflict)
            #expect(try early.problem().code == "case.decide_before_review")
            // a stale version loses
            #expect(try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept", #"{"version":7}"#).problem().code == "case.stale")
            _ = try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept")
            // accepting twice, a notice after acceptance
            #expect(try await Self.step(app, clerk, "/api/v1/cases/\(id)/accept").problem().code == "case.illegal_transition")
            #expect(try await Self.step(app, clerk, "/api/v1/cases/\(id)/notice", #"{"items":[{"material":"x","instruction":"y"}]}"#).problem().code == "case.illegal_transition")
            // the applicant withdraws; nothing can be decided afterwards
            #expect(try await Self.step(app, applicant, "/api/v1/cases/\(id)/withdraw", #"{"reason":"暂不办理"}"#).status == .ok)
            #expect(try await Self.step(app, head, "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#).status == .conflict)
            #expect(try await Self.step(app, applicant, "/api/v1/cases/\(id)/withdraw").problem().code == "case.withdraw_after_decision")
        }
    }

    @Test func noNoticeWithinFiveWorkingDays_countsAsAcceptedFromReceipt() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let (definition, all) = try await Self.requiredMaterials(app, implementation)
            let complete = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: all, mode: "pickup")).summary.id
            let partial = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: [all[0]], mode: "pickup")).summary.id
            // received Wed 2026-11-18; the fifth working day is Wed 11-25; on Thu 11-26 it is too late
            app.clock.advance(by: 8 * 86400)
            let clerk = try await app.token("clerk.zz")
            #expect(try await app.json(.get, "/api/v1/cases/\(partial)", token: clerk).text.contains("\"state\":\"received\""))
            let login = try await app.form("/login", ["username": "clerk.zz", "password": DemoSeed.password])
            // deemed acceptance is the jobs service's: the desk page (a GET) changes nothing
            _ = try await app.page("/desk", cookie: try #require(app.sessionCookie(from: login)))
            #expect(try await app.caseRow(complete)?.state == .received)
            let late = try await Self.step(app, clerk, "/api/v1/cases/\(partial)/notice", #"{"items":[{"material":"\#(definition.attributes.materials[all[1]].name)","instruction":"请补交"}]}"#)
            #expect(try late.problem().code == "case.notice_too_late")
            _ = try await app.services.cases.applyDeemedAcceptance(address: "jobs")
            // both count as accepted from receipt, the one with a main material missing too (行政许可法第三十二条第一款第（四）项)
            for id in [complete, partial] {
                let c = try #require(try await app.caseRow(id))
                #expect(c.state == .underReview)
                #expect(c.clockStart?.description == "2026-11-18")
            }
        }
    }

    @Test func progressQuery_needsTheLastFourDigits_andMasksTheName() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let number = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: [0])).summary.number
            func query(_ number: String, _ last4: String) async throws -> TestResponse {
                try await app.json(.post, "/api/v1/progress", body: #"{"number":"\#(number)","last4":"\#(last4)"}"#)
            }
            let ok = try await query(number, "0001")
            #expect(ok.status == .ok)
            #expect(ok.text.contains("\"applicant\":\"张*\""))
            #expect(!ok.text.contains("13800000001"))
            let wrong = try await query(number, "9999")
            #expect(wrong.status == .notFound)
            #expect(try wrong.problem().code == "progress.not_found")
            // the last four of the ID number work too (410102199001011234)
            #expect(try await query(number, "1234").status == .ok)
            // a number that is not well formed never reaches the database
            #expect(try await query("410100-2026", "0001").status == .notFound)
            // the page: a GET shows the form, the POST answers
            #expect(try await app.page("/progress").text.contains("progress-form"))
            let page = try await app.form("/progress", ["number": number, "last4": "0001"])
            #expect(page.text.contains("已收件，待受理"))
        }
    }

    @Test func othersCases_areInvisible_andIdempotentSubmitCreatesOne() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let first = try await Self.submit(app, token: applicant, implementation: implementation, files: [0], key: "apply-1")
            let second = try await Self.submit(app, token: applicant, implementation: implementation, files: [0], key: "apply-1")
            #expect(first.status == .created)
            #expect(second.text == first.text)
            #expect(try await app.count(CaseRow.self) == 1)
            let id = try Self.detail(first).summary.id
            // another applicant, a department without a task, and the catalog admin see nothing
            let company = try await app.token("91410100MA44XY1K2N")
            #expect(try await app.json(.get, "/api/v1/cases/\(id)", token: company).status == .notFound)
            #expect(try await app.json(.get, "/api/v1/cases/\(id)", token: try await app.token("reviewer.zz.sw")).status == .notFound)
            #expect(try await app.json(.get, "/api/v1/cases/\(id)", token: try await app.token("catalog.ha")).status == .notFound)
            #expect(try await app.json(.get, "/api/v1/cases", token: company).text == "[]")
        }
    }

    @Test func suspension_stopsTheClock() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "XK00123001")
            let applicant = try await app.token("13800000001")
            let (_, all) = try await Self.requiredMaterials(app, implementation)
            let id = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: all, mode: "pickup")).summary.id
            _ = try await Self.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept")
            app.clock.advance(by: 86400)  // Thu: 1 working day used
            var reviewer = try await app.token("reviewer.zz")
            let suspended = try await Self.step(app, reviewer, "/api/v1/cases/\(id)/suspend", #"{"reason":"检验检测"}"#)
            #expect(suspended.status == .ok, "\(suspended.text)")
            var c = try Self.detail(suspended)
            #expect(c.summary.clock.status == "suspended")
            app.clock.advance(by: 5 * 86400)  // to Tue 11-24
            reviewer = try await app.token("reviewer.zz")
            c = try Self.detail(try await Self.step(app, reviewer, "/api/v1/cases/\(id)/resume"))
            // Thu 11-19 counted; Fri 11-20 … Mon 11-23 suspended; Tue 11-24 counts again
            #expect(c.summary.clock.used == 2)
            #expect(c.summary.clock.status == "normal")
            #expect(c.events.contains { $0.title.contains("暂停计时：检验检测") })
        }
    }

    @Test func toleratedMaterialOverdue_stopsTheClockUntilSupplied() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await Self.implementation(app, code: "QR00811001")
            let applicant = try await app.token("13800000001")
            let id = try Self.detail(try await Self.submit(app, token: applicant, implementation: implementation, files: [0, 4])).summary.id
            _ = try await Self.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept", #"{"tolerance":true,"toleranceDays":2}"#)
            // deadline Fri 11-20; nothing happens on the deadline itself
            app.clock.advance(by: 2 * 86400)
            #expect(try await app.services.cases.applyToleranceDeadlines(address: "test") == 0)
            app.clock.advance(by: 3 * 86400)  // Mon 11-23
            #expect(try await app.services.cases.applyToleranceDeadlines(address: "test") == 1)
            #expect(try await app.services.cases.applyToleranceDeadlines(address: "test") == 0)
            let applicantNow = try await app.token("13800000001")
            var c = try Self.detail(try await app.json(.get, "/api/v1/cases/\(id)", token: applicantNow))
            #expect(c.summary.clock.status == "suspended")
            #expect(c.events.contains { $0.title == "容缺材料逾期未补交，暂停计时" })
            let missing = try #require(c.materials.first { $0.missing })
            let supplied = try await app.client.execute(uri: "/api/v1/cases/\(id)/materials/\(missing.id)/file?name=wt.pdf", method: .post,
                                                        headers: [.authorization: "Bearer \(applicantNow)"], body: ByteBuffer(bytes: Self.pdf))
            c = try Self.detail(supplied)
            #expect(c.summary.clock.status != "suspended")
            #expect(c.events.contains { $0.title == "容缺材料已补齐，恢复计时" })
        }
    }
}

@Suite("Web apply")
struct WebApplyTests {
    /// A multipart body as a browser sends it.
    static func multipart(_ fields: [String: String], files: [String: (String, Data)], boundary: String) -> ByteBuffer {
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        for (name, (fileName, data)) in files {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(fileName)\"\r\nContent-Type: application/pdf\r\n\r\n".utf8))
            body.append(data)
            body.append(Data("\r\n".utf8))
        }
        body.append(Data("--\(boundary)--\r\n".utf8))
        return ByteBuffer(bytes: body)
    }

    @Test func doubleSubmitOfTheApplyForm_createsOneCase() async throws {
        try await TestApp.run(seed: .full) { app in
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let login = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            let form = try await app.page("/apply/\(implementation)", cookie: cookie)
            #expect(form.status == .ok)
            let key = try #require(form.text.range(of: #"name="submissionKey" value="[^"]+""#, options: .regularExpression).map { String(form.text[$0]).components(separatedBy: "value=\"")[1].dropLast() })
            let boundary = "----onevisit-test"
            let body = Self.multipart(["csrf": TestApp.csrf, "submissionKey": String(key), "deliveryMode": "pickup"], files: ["material_0": ("申请书.pdf", CaseFlowTests.pdf)], boundary: boundary)
            var locations: [String] = []
            for _ in 0..<2 {
                let response = try await app.client.execute(uri: "/apply/\(implementation)", method: .post,
                                                            headers: [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: "\(cookie); \(CookieNames.csrf)=\(TestApp.csrf)"], body: body)
                #expect(response.status == .seeOther, "\(response.text.prefix(300))")
                locations.append(response.headers[.location] ?? "")
            }
            #expect(locations[0] == locations[1])
            #expect(locations[0].hasPrefix("/cases/"))
            #expect(try await app.count(CaseRow.self) == 1)
            // the uploaded file arrived
            #expect(try await app.count(CaseMaterialRow.self, where: ["status": MaterialStatus.provided]) == 1)
        }
    }
}
