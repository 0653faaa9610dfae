import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// G8: every operation of the OpenAPI document × every role its `x-roles` leaves out, on
/// real objects that belong to someone else → never a success.
@Suite("Access matrix")
struct AccessMatrixTests {
    static let logins: [String: (String, Bool)] = [
        "applicant": ("91410100MA44XY1K2N", false), "windowClerk": ("clerk.kf", false), "departmentReviewer": ("reviewer.kf", false),
        "departmentHead": ("head.zz", false), "catalogAdmin": ("catalog.ha", false), "supervisor": ("supervisor.ha", false),
        "systemAdmin": ("admin.ha", true), "auditor": ("auditor.ha", true),
    ]

    @Test func everyRoleOutsideAnOperationsRoles_neverSucceeds() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: objects owned by others — 张三's cases in Zhengzhou, one received and one
            // under review, a guide version, a catalog item and its implementation
            let implementation = try await CaseFlowTests.implementation(app, code: "QR00811001")
            let owner = try await app.token("13800000001")
            let received = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: owner, implementation: implementation, files: [0, 4])).summary.id
            let reviewing = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: owner, implementation: implementation, files: [0, 4])).summary.id
            let accepted = try CaseFlowTests.detail(try await CaseFlowTests.step(app, try await app.token("clerk.zz"), "/api/v1/cases/\(reviewing)/accept", #"{"tolerance":true}"#))
            let task = try #require(accepted.tasks.first).id
            let material = try #require(accepted.materials.first { $0.missing }).id
            let version = try #require(try await GuideVersionModel.query(on: app.db).filter(\.$state == "published").first())
            let code = version.itemCode

            let totp = String(format: "%06d", HummingbirdOTPCode.now(app))
            var tokens: [String: String] = [:]
            for (role, (login, needsTOTP)) in Self.logins { tokens[role] = try await app.token(login, totp: needsTOTP ? totp : nil) }

            let data = try Data(buffer: try await app.page("/api/v1/openapi.json").body)
            let document = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let paths = document["paths"] as! [String: [String: [String: Any]]]
            var checked = 0
            var successes: [String] = []
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                for (method, operation) in operations {
                    let allowed = Set(operation["x-roles"] as? [String] ?? [])
                    guard !allowed.contains("public") else { continue }
                    let caseID = path.contains("/accept") || path.contains("/notice") || path.contains("/refuse") || path.contains("/resubmit") ? received : reviewing
                    let uri = path
                        .replacingOccurrences(of: "{code}", with: code)
                        .replacingOccurrences(of: "{task}", with: task.uuidString)
                        .replacingOccurrences(of: "{material}", with: material.uuidString)
                        .replacingOccurrences(of: "{id}", with: path.hasPrefix("/api/v1/cases") ? caseID.uuidString
                            : path.contains("guide-versions") ? version.id!.uuidString : version.implementationID.uuidString)
                    let body = #"{"version":null,"approve":true,"decision":"approve","reason":"测试理由理由","items":[{"material":"不动产登记申请书","instruction":"请补交"}],"days":1,"mode":"pickup","action":"submit","collectorIDLast4":"1234"}"#
                    for (role, token) in tokens.sorted(by: { $0.key < $1.key }) where !allowed.contains(role) {
                        let response = try await app.client.execute(
                            uri: uri + (path.hasSuffix("/file") || path.hasSuffix("/files") ? "?name=x.pdf" : ""), method: HTTPRequest.Method(rawValue: method.uppercased())!,
                            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: method == "get" ? nil : ByteBuffer(string: body))
                        checked += 1
                        if response.status.code < 400 || ![401, 403, 404].contains(Int(response.status.code)) {
                            successes.append("\(method.uppercased()) \(path) as \(role): \(response.status.code) \(response.text.prefix(120))")
                        }
                    }
                }
            }
            SuiteSummary.report("G8", "role × operation checks", passed: checked - successes.count, failed: successes.count)
            #expect(successes.isEmpty, "\(successes.joined(separator: "\n"))")
            #expect(checked > 150)
            // objects of others: allowed roles, wrong owner or wrong place
            let stranger = tokens["applicant"]!
            for path in ["/api/v1/cases/\(reviewing)", "/api/v1/cases/\(reviewing)/withdraw"] {
                let response = try await app.json(path.hasSuffix("withdraw") ? .post : .get, path, token: stranger, body: path.hasSuffix("withdraw") ? "{}" : nil)
                #expect(response.status == .notFound, "\(path)")
            }
            // the Kaifeng clerk cannot accept a Zhengzhou case, the Kaifeng reviewer cannot review it
            let kaifengAccept = try await CaseFlowTests.step(app, tokens["windowClerk"]!, "/api/v1/cases/\(received)/accept")
            #expect([403, 404].contains(Int(kaifengAccept.status.code)))
            let kaifengReview = try await CaseFlowTests.step(app, tokens["departmentReviewer"]!, "/api/v1/cases/\(reviewing)/tasks/\(task)/complete", #"{"approve":true}"#)
            #expect([403, 404].contains(Int(kaifengReview.status.code)))
            let state = try #require(try await CaseModel.find(received, on: app.db)).state
            #expect(state == "received")
        }
    }
}
