import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import OneVisitApp

/// Issue 10 item 8: the attacks on `Idempotency-Key`, each performed against the app.
@Suite("Idempotency security")
struct IdempotencySecurityTests {
    static func key(_ value: String) -> HTTPFields { [IdempotencyMiddleware.header: value] }

    /// The exact body `CaseFlowTests.submit` would send, so a test can hash it.
    static func submission(_ implementation: UUID, materialBytes: Data = CaseFlowTests.pdf) -> String {
        #"{"implementationID":"\#(implementation)","deliveryMode":"pickup","formData":{"申请人":"张三"},"materials":[{"position":0,"fileName":"m0.pdf","contentBase64":"\#(materialBytes.base64EncodedString())"}]}"#
    }

    static func accountID(_ app: TestApp, _ login: String) async throws -> UUID {
        try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, login).limit(1).row(AccountRow.self)).id
    }

    @Test func crashLeftKeyInProgress_retryAfterLeaseRunsOnce() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: the record a crashed request leaves: claimed, never finished
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let token = try await app.token("13800000001")
            let body = Self.submission(implementation)
            let crashed = IdempotencyRecordRow(
                id: UUID(), scopeKey: IdempotencyMiddleware.scope(
                    account: try await Self.accountID(app, "13800000001"), address: "local", path: "/api/v1/cases", key: "crash-0001"),
                requestHash: IdempotencyMiddleware.requestHash(ByteBuffer(string: body)), createdAt: app.clock.now)
            try await app.services.persistence.transaction { tx in try await crashed.insert(on: tx.sql) }
            let before = try await app.count(CaseRow.self)

            // act + check: within the lease the key is still taken
            let early = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("crash-0001"))
            #expect(early.status == .conflict)
            #expect(try early.problem().code == "idempotency.in_progress")

            // past the lease two retries race for the key: exactly one runs
            app.clock.advance(by: Persistence.idempotencyLease + 1)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("crash-0001")).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.contains(.created), "\(statuses)")
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            #expect(try await app.count(CaseRow.self) == before + 1)

            let replay = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("crash-0001"))
            #expect(replay.status == .created)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await app.count(CaseRow.self) == before + 1)
        }
    }

    @Test func crashLeftKeyInProgress_otherBodyAfterLeaseIsStill422() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let token = try await app.token("13800000001")
            let crashed = IdempotencyRecordRow(
                id: UUID(), scopeKey: IdempotencyMiddleware.scope(
                    account: try await Self.accountID(app, "13800000001"), address: "local", path: "/api/v1/cases", key: "crash-0002"),
                requestHash: IdempotencyMiddleware.requestHash(ByteBuffer(string: "another body")), createdAt: app.clock.now)
            try await app.services.persistence.transaction { tx in try await crashed.insert(on: tx.sql) }
            app.clock.advance(by: Persistence.idempotencyLease + 1)
            // act
            let other = try await app.json(.post, "/api/v1/cases", token: token, body: Self.submission(implementation), headers: Self.key("crash-0002"))
            // check
            #expect(other.status == .unprocessableContent)
            #expect(try other.problem().code == "idempotency.key_reused")
        }
    }

    @Test func recordsOlderThanADay_areIgnoredAndPruned() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: two keys used now
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            var token = try await app.token("13800000001")
            let body = Self.submission(implementation)
            for key in ["day-0001", "day-0002"] {
                let first = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key(key))
                #expect(first.status == .created)
            }
            let before = try await app.count(CaseRow.self)

            // act: a day later the same key and body is a new request
            app.clock.advance(by: Persistence.idempotencyRetention + 1)
            token = try await app.token("13800000001")
            let later = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("day-0001"))
            #expect(later.status == .created, "\(later.text)")
            #expect(later.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(try await app.count(CaseRow.self) == before + 1)

            // the jobs' prune deletes what is older than a day, and only that
            let cutoff = app.clock.now.addingTimeInterval(-Persistence.idempotencyRetention)
            let pruned = try await app.services.persistence.pruneIdempotencyRecords(olderThan: cutoff)
            // check
            #expect(pruned == 1)
            let left = try await app.rows(IdempotencyRecordRow.self)
            #expect(left.count == 1)
            #expect(left.allSatisfy { $0.createdAt >= cutoff })
        }
    }

    @Test func loginWithKey_storesNoToken_andRetryDoesNotReturnIt() async throws {
        try await TestApp.run(seed: .full) { app in
            // act
            let body = #"{"username":"13800000001","password":"\#(DemoSeed.password)"}"#
            let first = try await app.json(.post, "/api/v1/auth/login", body: body, headers: Self.key("login-0001"))
            #expect(first.status == .ok)
            #expect(first.headers[.cacheControl] == "no-store")
            let token = try JSONDecoder().decode(TokenBody.self, from: Data(buffer: first.body)).token
            let retry = try await app.json(.post, "/api/v1/auth/login", body: body, headers: Self.key("login-0001"))

            // check: the table holds no token, only that the key was used
            let rows = try await app.rows(IdempotencyRecordRow.self)
            #expect(rows.count == 1)
            #expect(rows.allSatisfy { $0.body == nil && $0.contentType == nil && $0.status == 200 })
            #expect(!rows.contains { ($0.body ?? "").contains(token) || $0.scopeKey.contains(token) })
            #expect(retry.status == .conflict)
            #expect(try retry.problem().code == "idempotency.not_replayable")
            #expect(try retry.problem().title == "该请求的结果含有敏感信息，不能重放，请重新发起请求")
            #expect(!retry.text.contains(token))
        }
    }

    @Test func tenMegabyteSubmission_acceptedWithKeyAsWithout() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a PDF of 7.5 MB, about 10 MB as base64
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let token = try await app.token("13800000001")
            var pdf = Data("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n".utf8)
            for _ in 0..<(7_500_000 / 100) { pdf.append(Data(("%" + String(repeating: "x", count: 98) + "\n").utf8)) }
            pdf.append(Data("%%EOF\n".utf8))
            let body = Self.submission(implementation, materialBytes: pdf)
            #expect(body.utf8.count > 10_000_000)

            // act
            let without = try await app.json(.post, "/api/v1/cases", token: token, body: body)
            let with = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("big-0001"))

            // check
            #expect(without.status == .created, "\(without.text.prefix(300))")
            #expect(with.status == without.status, "\(with.text.prefix(300))")
        }
    }

    @Test func bodyOverTheLargestLimit_is413WithKeyAsWithout() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let token = try await app.token("13800000001")
            let body = #"{"padding":""# + String(repeating: "x", count: IdempotencyMiddleware.bodyLimit) + #""}"#
            // act
            let without = try await app.json(.post, "/api/v1/cases", token: token, body: body)
            let with = try await app.json(.post, "/api/v1/cases", token: token, body: body, headers: Self.key("huge-0001"))
            // check
            #expect(without.status == .contentTooLarge)
            #expect(with.status == .contentTooLarge)
            #expect(try with.problem().code == "request.too_large")
            #expect(try await app.count(IdempotencyRecordRow.self) == 0)
        }
    }

    @Test func anonymousKeys_scopedByAddress() {
        let path = "/api/v1/applicants"
        let a = IdempotencyMiddleware.scope(account: nil, address: "203.0.113.7", path: path, key: "k-1")
        let b = IdempotencyMiddleware.scope(account: nil, address: "198.51.100.9", path: path, key: "k-1")
        #expect(a != b)
        #expect(a == IdempotencyMiddleware.scope(account: nil, address: "203.0.113.7", path: path, key: "k-1"))
        let account = UUID()
        // an account's keys are its own wherever it signs in from, and not an address's
        #expect(IdempotencyMiddleware.scope(account: account, address: "203.0.113.7", path: path, key: "k-1")
            == IdempotencyMiddleware.scope(account: account, address: "198.51.100.9", path: path, key: "k-1"))
        #expect(IdempotencyMiddleware.scope(account: account, address: "203.0.113.7", path: path, key: "k-1") != a)
    }

    @Test func webFormKeyLeftInProgress_takenOverAfterLease() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a form submit that crashed after claiming its key
            let guardian = SubmissionGuard(persistence: app.services.persistence, clock: app.clock)
            let owner = UUID()
            guard case .fresh = try await guardian.claim(key: "form-key-0001", owner: owner, form: "/apply/x") else {
                Issue.record("first claim not fresh"); return
            }
            // act + check
            guard case .inProgress = try await guardian.claim(key: "form-key-0001", owner: owner, form: "/apply/x") else {
                Issue.record("second claim within the lease not in progress"); return
            }
            app.clock.advance(by: Persistence.idempotencyLease + 1)
            guard case .fresh(let record) = try await guardian.claim(key: "form-key-0001", owner: owner, form: "/apply/x") else {
                Issue.record("claim after the lease not fresh"); return
            }
            try await guardian.complete(record, location: "/cases/1")
            guard case .done(let location) = try await guardian.claim(key: "form-key-0001", owner: owner, form: "/apply/x") else {
                Issue.record("claim after completion not done"); return
            }
            #expect(location == "/cases/1")
        }
    }
}
