import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// Issue 10, items 1, 2 and 12: staff of another region or department on every case step,
/// payment and delivery; forged payment callbacks; window intake across regions.
@Suite("Case security")
struct CaseSecurityTests {
    // MARK: setup helpers

    /// A 不动产首次登记 case in Zhengzhou with every required material, taken to `state`.
    enum Stage { case received, underReview, approved }

    static func makeCase(_ app: TestApp, mode: String = "pickup", to stage: Stage) async throws -> CaseDetail {
        let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
        let (_, required) = try await CaseFlowTests.requiredMaterials(app, implementation)
        let applicant = try await app.token("13800000001")
        let submitted = try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: required, mode: mode)
        var c = try CaseFlowTests.detail(submitted)
        guard stage != .received else { return c }
        let id = c.summary.id
        c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(id)/accept"))
        guard stage != .underReview else { return c }
        for task in c.tasks {
            let reviewer = task.departmentName.contains("税务") ? "reviewer.zz.sw" : "reviewer.zz.zr"
            _ = try await CaseFlowTests.step(app, try await app.token(reviewer), "/api/v1/cases/\(id)/tasks/\(task.id)/complete", #"{"approve":true}"#)
        }
        c = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("head.zz.zr"), "/api/v1/cases/\(id)/decide", #"{"decision":"approve"}"#))
        #expect(c.summary.state == "approved")
        return c
    }

    /// A staff account the demo data lacks (a Kaifeng head, a Kaifeng supervisor), in the
    /// department of `like` or none, with the demo password.
    static func staff(_ app: TestApp, _ login: String, role: StaffRole, region: String, like: String) async throws -> String {
        let model = try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, like).limit(1).row(AccountRow.self))
        let account = AccountRow(loginName: login, passwordHash: model.passwordHash, role: role.rawValue, displayName: login,
                                 departmentID: role == .supervisor ? nil : model.departmentID, regionCode: region, createdAt: app.clock.now)
        try await app.services.persistence.transaction { tx in try await account.insert(on: tx.sql) }
        return try await app.token(login)
    }

    // MARK: item 1 — one policy for every staff action

    @Test func staffOfAnotherRegionOrDepartment_cannotTakeAnyStepOrPayOrDeliver() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: three Zhengzhou cases — received, under review, approved with a fee to pay
            let received = try await Self.makeCase(app, to: .received)
            let reviewing = try await Self.makeCase(app, to: .underReview)
            let approved = try await Self.makeCase(app, to: .approved)
            let task = try #require(reviewing.tasks.first)
            let material = try #require(reviewing.materials.first)
            let attackers: [String: String] = [
                "clerk.kf": try await app.token("clerk.kf"),
                "reviewer.kf": try await app.token("reviewer.kf"),
                "head.kf": try await Self.staff(app, "head.kf", role: .departmentHead, region: "410200", like: "reviewer.kf"),
                "supervisor.kf": try await Self.staff(app, "supervisor.kf", role: .supervisor, region: "410200", like: "supervisor.ha"),
                // Zhengzhou, but a department with no task on these cases
                "reviewer.zz": try await app.token("reviewer.zz"), "head.zz": try await app.token("head.zz"),
            ]
            let steps: [(UUID, String, String)] = [
                (received.summary.id, "accept", "{}"),
                (received.summary.id, "notice", #"{"items":[{"material":"不动产登记申请书","instruction":"请补交"}]}"#),
                (received.summary.id, "refuse", #"{"reason":"不属于本机关职权范围"}"#),
                (received.summary.id, "visits", #"{"reason":"核验原件"}"#),
                (reviewing.summary.id, "tasks/\(task.id)/complete", #"{"approve":true}"#),
                (reviewing.summary.id, "suspend", #"{"reason":"专家评审"}"#),
                (reviewing.summary.id, "extend", #"{"days":5,"reason":"情况复杂需延期"}"#),
                (reviewing.summary.id, "decide", #"{"decision":"approve"}"#),
                (reviewing.summary.id, "withdraw", #"{"reason":"不办了"}"#),
                (approved.summary.id, "pay-window", "{}"),
                (approved.summary.id, "deliver", #"{"mode":"post","carrier":"EMS","trackingNumber":"EA123456789CN"}"#),
                (approved.summary.id, "deliver", #"{"mode":"pickup","collectorIDLast4":"0012"}"#),
            ]
            let before = try await app.rows(CaseRow.self).reduce(into: [UUID: Int]()) { $0[$1.id] = $1.version }
            var checked = 0
            var successes: [String] = []
            for (login, token) in attackers.sorted(by: { $0.key < $1.key }) {
                for (id, step, body) in steps {
                    // act
                    let response = try await CaseFlowTests.step(app, token, "/api/v1/cases/\(id)/\(step)", body)
                    checked += 1
                    if ![403, 404].contains(Int(response.status.code)) { successes.append("\(login) \(step): \(response.status.code) \(response.text.prefix(100))") }
                }
                let supply = try await app.client.execute(uri: "/api/v1/cases/\(reviewing.summary.id)/materials/\(material.id)/file?name=x.pdf", method: .post,
                                                          headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(bytes: CaseFlowTests.pdf))
                checked += 1
                if ![403, 404].contains(Int(supply.status.code)) { successes.append("\(login) supply: \(supply.status.code)") }
            }
            // check
            SuiteSummary.report("G8-region", "other-region and other-department step checks", passed: checked - successes.count, failed: successes.count)
            #expect(successes.isEmpty, "\(successes.joined(separator: "\n"))")
            let after = try await app.rows(CaseRow.self).reduce(into: [UUID: Int]()) { $0[$1.id] = $1.version }
            #expect(after == before)
            #expect(try await app.count(PaymentRow.self, where: ["state": PaymentState.paid]) == 0)
            // a supervisor of another city does not even see the case; the province's does
            #expect(try await app.json(.get, "/api/v1/cases/\(approved.summary.id)", token: attackers["supervisor.kf"]!).status == .notFound)
            #expect(try await app.json(.get, "/api/v1/cases/\(approved.summary.id)", token: try await app.token("supervisor.ha")).status == .ok)
        }
    }

    @Test func delivery_onlyInTheModeTheApplicantChose_withTheCollectorsCheck() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: an approved case to be collected at the window, its fee paid at the window
            let c = try await Self.makeCase(app, mode: "pickup", to: .approved)
            let id = c.summary.id
            let clerk = try await app.token("clerk.zz")
            #expect(try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(id)/pay-window").status == .ok)
            // the clerk's page offers the chosen mode only
            let login = try await app.form("/login", ["username": "clerk.zz", "password": DemoSeed.password])
            let page = try await app.page("/cases/\(id)", cookie: try #require(app.sessionCookie(from: login)))
            #expect(page.text.contains(#"name="mode" value="pickup""#))
            #expect(!page.text.contains(#"name="mode" value="post""#))
            // act: posting it would skip the collector's identity check
            let posted = try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(id)/deliver", #"{"mode":"post","carrier":"EMS","trackingNumber":"EA123456789CN"}"#)
            // check
            #expect(posted.status == .conflict)
            #expect(try posted.problem().code == "delivery.mode_mismatch")
            let wrongPerson = try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(id)/deliver", #"{"mode":"pickup","collectorIDLast4":"9999"}"#)
            #expect(wrongPerson.status == .unprocessableContent)
            #expect(try #require(try await app.caseRow(id)).state == .approved)
            let idNumber = try #require(try await app.caseRow(id)?.applicantIDNumber)
            let collected = try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(id)/deliver", #"{"mode":"pickup","collectorIDLast4":"\#(idNumber.suffix(4))"}"#)
            #expect(collected.status == .ok)
            #expect(try CaseFlowTests.detail(collected).summary.state == "delivered")
        }
    }

    // MARK: item 2 — no fee marked paid without paying

    @Test func withoutDemoMode_thereIsNoSimulatedGateway_andEveryCallbackIsRefused() async throws {
        try await TestApp.run(seed: .full, demoMode: false) { app in
            // setup
            let c = try await Self.makeCase(app, mode: "download", to: .approved)
            let order = try #require(c.payment).orderNumber
            // the order number tells nothing about the case
            #expect(!order.contains(c.summary.number))
            #expect(order.count == 23 && order.hasPrefix("PAY"))
            // act: a callback signed with the old published default secret, and the simulated gateway
            let signature = PaymentSignature.sign(orderNumber: order, amountFen: 8000, transactionID: "T1", secret: "onevisit-simulated-gateway")
            let forged = try await app.json(.post, "/api/v1/payments/callback", body: #"{"orderNumber":"\#(order)","amountFen":8000,"transactionID":"T1","signature":"\#(signature)"}"#)
            let login = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            let gateway = try await app.page("/pay/\(order)", cookie: cookie)
            let confirm = try await app.form("/pay/\(order)/confirm", [:], cookie: cookie)
            let pay = try await app.form("/cases/\(c.summary.id)/pay", [:], cookie: cookie)
            // check
            #expect(forged.status == .forbidden)
            #expect(try forged.problem().code == "payment.gateway_not_configured")
            #expect(gateway.status == .notFound)
            #expect(confirm.status == .notFound)
            #expect(pay.status == .conflict)
            #expect(pay.text.contains("请到政务服务大厅窗口缴费"))
            #expect(try await app.count(PaymentRow.self, where: ["state": PaymentState.paid]) == 0)
        }
    }

    @Test func inDemoMode_theOldDefaultSecretSignsNothing() async throws {
        try await TestApp.run(seed: .full) { app in
            let c = try await Self.makeCase(app, mode: "download", to: .approved)
            let order = try #require(c.payment).orderNumber
            let signature = PaymentSignature.sign(orderNumber: order, amountFen: 8000, transactionID: "T1", secret: "onevisit-simulated-gateway")
            let forged = try await app.json(.post, "/api/v1/payments/callback", body: #"{"orderNumber":"\#(order)","amountFen":8000,"transactionID":"T1","signature":"\#(signature)"}"#)
            #expect(forged.status == .unauthorized)
            #expect(try await app.count(PaymentRow.self, where: ["state": PaymentState.paid]) == 0)
        }
    }

    // MARK: item 12 — window intake and guides across regions, names that do not match

    @Test func windowIntakeAndGuides_stayInTheirRegion_andAnIDNumberKeepsItsName() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let zhangsan = try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, "13800000001").limit(1).row(AccountRow.self))
            let cases = try await app.count(CaseRow.self)
            func register(_ token: String, name: String, idNumber: String) async throws -> TestResponse {
                try await app.json(.post, "/api/v1/cases/window", token: token, body: #"{"implementationID":"\#(implementation)","channel":"walkIn","name":"\#(name)","idNumber":"\#(idNumber)","phone":"13712345678","providedMaterials":[0],"feeCondition":"住宅"}"#)
            }
            // act: a Kaifeng clerk files at a Zhengzhou implementation; a Zhengzhou clerk files
            // under 张三's ID number with another name
            let otherRegion = try await register(try await app.token("clerk.kf"), name: "王五", idNumber: "410203198512154568")
            let otherName = try await register(try await app.token("clerk.zz"), name: "李四", idNumber: zhangsan.idNumber!)
            // check
            #expect(otherRegion.status == .forbidden)
            #expect(try otherRegion.problem().code == "case.other_region")
            #expect(otherName.status == .unprocessableContent)
            #expect(try otherName.problem().code == "case.applicant_name_mismatch")
            #expect(try await app.count(CaseRow.self) == cases)
            // the same clerk with the right name files it on 张三's account
            let right = try await register(try await app.token("clerk.zz"), name: zhangsan.displayName, idNumber: zhangsan.idNumber!)
            #expect(right.status == .created, "\(right.text)")
            // a walk-in's case page leads the clerk to the claim code; a claimed account's does not
            let walkIn = try CaseFlowTests.detail(try await register(try await app.token("clerk.zz"), name: "王五", idNumber: "410203198512154568"))
            let walkInAccount = try #require(try await app.caseRow(walkIn.summary.id)).applicantID
            let login = try await app.form("/login", ["username": "clerk.zz", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            #expect(try await app.page("/cases/\(walkIn.summary.id)", cookie: cookie).text.contains("/applicants/\(walkInAccount.uuidString)/claim-code"))
            #expect(!(try await app.page("/cases/\(try CaseFlowTests.detail(right).summary.id)", cookie: cookie).text.contains("/claim-code")))

            // a department head of Kaifeng cannot return a Zhengzhou guide to draft
            let published = try #require(try await GuideVersionModel.query(on: app.db).filter(\.$regionCode == "410100").filter(\.$state == "published").first())
            let headKF = try await Self.staff(app, "head.kf", role: .departmentHead, region: "410200", like: "reviewer.kf")
            let returned = try await app.json(.post, "/api/v1/catalog/guide-versions/\(published.id!)/transitions", token: headKF, body: #"{"action":"returnToDraft"}"#)
            #expect(returned.status == .forbidden)
            #expect(try await GuideVersionModel.find(published.id, on: app.db)?.state == "published")
        }
    }

    // MARK: item 15 — uploads authorised before anything is written, orphans collected

    @Test func uploadToSomeoneElsesCase_writesNothing_andOrphansAreCollected() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 张三's case waiting for a tolerated material; a file only this test makes
            let owner = try await app.token("13800000001")
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let c = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: owner, implementation: implementation, files: [0, 4], key: "orphan-test-key"))
            #expect(try await app.count(IdempotencyRecordRow.self) == 1)
            let accepted = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(c.summary.id)/accept", #"{"tolerance":true}"#))
            let material = try #require(accepted.materials.first { $0.missing })
            let unique = Data("%PDF-1.4\n% \(UUID().uuidString)\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8)
            let sha = BlobStore.hex(unique)
            // act: another applicant and a clerk of another city upload to it
            for stranger in [try await app.token("91410100MA44XY1K2N"), try await app.token("clerk.kf")] {
                let response = try await app.client.execute(uri: "/api/v1/cases/\(c.summary.id)/materials/\(material.id)/file?name=x.pdf", method: .post,
                                                            headers: [.authorization: "Bearer \(stranger)"], body: ByteBuffer(bytes: unique))
                #expect([403, 404].contains(Int(response.status.code)))
            }
            // check: nothing was written
            #expect(!app.services.blobs.exists(sha))

            // an orphan (written, never referenced) goes an hour after it was written; referenced files stay
            let orphan = try app.services.blobs.write(unique)
            let referenced = try #require(try await app.rows(CaseMaterialRow.self).first { $0.fileSHA != nil }?.fileSHA)
            app.clock.advance(by: Date().timeIntervalSince(app.clock.now) + 2 * 3600)
            try await app.services.housekeeping()
            #expect(!app.services.blobs.exists(orphan))
            #expect(app.services.blobs.exists(referenced))
            // and the day-old idempotency record is gone with them
            #expect(try await app.count(IdempotencyRecordRow.self) == 0)
        }
    }

}
