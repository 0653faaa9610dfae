import FluentKit
import FluentSQL
import Foundation
import Testing
@testable import OneVisitApp

@Suite("Audit chain")
struct AuditTests {
    @Test func everyWrite_recordsWhoWhatWhere_inOneChain() async throws {
        try await TestApp.run { app in
            _ = try await app.token("clerk.zz")
            let login = try #require(try await app.rows(AuditRecordRow.self, where: ["action": "auth.login"]).first)
            #expect(login.actor == "windowClerk:clerk.zz")
            #expect(login.objectType == "session")
            #expect(login.occurredAt == TestApp.start)
            let report = try await AuditReport.run(on: app.services)
            #expect(report.firstBreak == nil)
            #expect(report.checked == (try await app.count(AuditRecordRow.self)))
        }
    }

    @Test func editedRow_isFoundByAuditVerify() async throws {
        try await TestApp.run { app in
            try await app.services.persistence.sql.raw("UPDATE audit_records SET actor = 'someone-else' WHERE sequence = 7").run()
            let report = try await AuditReport.run(on: app.services)
            #expect(report.firstBreak == "第 7 条记录内容被修改（哈希不符）")
        }
    }

    @Test func deletedRow_isFound() async throws {
        try await TestApp.run { app in
            try await app.services.persistence.sql.raw("DELETE FROM audit_records WHERE sequence = 12").run()
            let report = try await AuditReport.run(on: app.services)
            #expect(report.firstBreak?.contains("序号不连续：应为 12") == true)
        }
    }

    @Test func swappedRows_areFound() async throws {
        try await TestApp.run { app in
            // Swap the contents of rows 3 and 4 by renumbering them.
            let sql = app.services.persistence.sql
            try await sql.raw("UPDATE audit_records SET sequence = -3 WHERE sequence = 3").run()
            try await sql.raw("UPDATE audit_records SET sequence = 3 WHERE sequence = 4").run()
            try await sql.raw("UPDATE audit_records SET sequence = 4 WHERE sequence = -3").run()
            let report = try await AuditReport.run(on: app.services)
            #expect(report.firstBreak == "第 3 条记录与前一条的链接断开（记录被删除、插入或调换）")
        }
    }

    @Test func cutTail_isFound() async throws {
        try await TestApp.run { app in
            let total = try await app.count(AuditRecordRow.self)
            try await app.services.persistence.sql.raw("DELETE FROM audit_records WHERE sequence = \(unsafeRaw: String(total))").run()
            let report = try await AuditReport.run(on: app.services)
            #expect(report.firstBreak == "日志被截断：最后一条应为第 \(total) 条，实为第 \(total - 1) 条")
        }
    }

    @Test func auditorPage_showsIntactChain_andAPIAgrees() async throws {
        try await TestApp.run { app in
            let code = String(format: "%06d", HummingbirdOTPCode.now(app))
            let token = try await app.token("auditor.ha", totp: code)
            let verify = try await app.json(.get, "/api/v1/audit/verify", token: token)
            #expect(verify.status == .ok)
            #expect(verify.text.contains("\"intact\":true"))
            // a TOTP code is good once: the web sign-in waits for the next one
            app.clock.advance(by: 30)
            let login = try await app.form("/login", ["username": "auditor.ha", "password": DemoSeed.password, "totp": String(format: "%06d", HummingbirdOTPCode.now(app))])
            let cookie = try #require(app.sessionCookie(from: login))
            let page = try await app.page("/audit", cookie: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("哈希链完整"))
        }
    }
}

import HummingbirdOTP
enum HummingbirdOTPCode {
    static func now(_ app: TestApp) -> Int { TOTP(secret: DemoSeed.totpSecret).compute(date: app.clock.now) }
}
