import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// G16: lists and public queries never show a full ID number or phone (R7.5; the quality bar:
/// "ID numbers and phones masked in lists").
@Suite("Personal data in lists")
struct PersonalDataTests {
    /// The full 18-character resident IDs and 11-digit mobiles in `text` that stand on their own:
    /// each maximal run of ASCII letters and digits is checked whole, so a number inside a longer
    /// run (a UUID, a document number) is not one. (Swift's Regex has no lookbehind.)
    static func fullNumbers(in text: String) -> [String] {
        let id = /[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]/
        let mobile = /1[3-9][0-9]{9}/
        return text.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
            .filter { $0.wholeMatch(of: id) != nil || $0.wholeMatch(of: mobile) != nil }
            .map(String.init)
    }

    @Test func g16_listsAndPublicQueries_neverShowAFullIDNumberOrPhone() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: a person online, a company online, a walk-in registered at the window; one accepted
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let (_, files) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let person = try await app.token("13800000001")
            let company = try await app.token("91410100MA44XY1K2N")
            let clerk = try await app.token("clerk.zz")
            let first = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: person, implementation: implementation, files: files))
            _ = try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: company, implementation: implementation, files: files))
            let walkInID = "410105198506150023"
            let walkInPhone = "13712345678"
            let walkIn = try await app.json(.post, "/api/v1/cases/window", token: clerk, body: """
                {"implementationID":"\(implementation)","channel":"walkIn","name":"钱多多","idNumber":"\(walkInID)","phone":"\(walkInPhone)","providedMaterials":\(files)}
                """)
            #expect(walkIn.status == .created, "\(walkIn.text)")
            #expect(try await CaseFlowTests.step(app, clerk, "/api/v1/cases/\(first.summary.id)/accept").status == .ok)
            let secrets = ["410102199001011234", "13800000001", "91410100MA44XY1K2N", "13900000002", walkInID, walkInPhone]
            _ = try ResidentID(walkInID)  // a valid number, so the clerk could register it

            // every list and public query, as whoever may see it
            let totp = String(format: "%06d", HummingbirdOTPCode.now(app))
            func cookie(_ login: String, totp: String? = nil) async throws -> String {
                var fields = ["username": login, "password": DemoSeed.password]
                if let totp { fields["totp"] = totp }
                return try #require(app.sessionCookie(from: try await app.form("/login", fields)))
            }
            let department = try #require(try await app.caseRow(first.summary.id)).departmentID
            let last4 = "1234"  // of 张三's ID number
            let pages: [(String, String?)] = [
                ("/cases", try await cookie("13800000001")),
                ("/desk", try await cookie("clerk.zz")),
                ("/work", try await cookie("reviewer.zz")),
                ("/work", try await cookie("head.zz")),
                ("/supervision", try await cookie("supervisor.ha")),
                ("/supervision/departments/\(department)?filter=open&from=2026-11-01", try await cookie("supervisor.ha")),
                ("/supervision.csv", try await cookie("supervisor.ha")),
                ("/audit", try await cookie("auditor.ha", totp: totp)),
                ("/progress", nil),
            ]
            // a TOTP code is good once: the API sign-in waits for the next one
            app.clock.advance(by: 30)
            let auditor = try await app.token("auditor.ha", totp: String(format: "%06d", HummingbirdOTPCode.now(app)))
            let apis: [(String, String?)] = [
                ("/api/v1/cases", person), ("/api/v1/cases", company), ("/api/v1/cases", clerk),
                ("/api/v1/cases", try await app.token("reviewer.zz")), ("/api/v1/cases", try await app.token("head.zz")),
                ("/api/v1/supervision/kpis", try await app.token("supervisor.ha")),
                ("/api/v1/audit/records", auditor),
                ("/api/v1/progress", nil),
            ]
            var passed = 0
            var failures: [String] = []
            for (uri, credential) in pages + apis {
                // the progress query is a POST (it counts tries)
                let response = uri == "/api/v1/progress"
                    ? try await app.json(.post, uri, body: #"{"number":"\#(first.summary.number)","last4":"\#(last4)"}"#)
                    : uri == "/progress" ? try await app.form(uri, ["number": first.summary.number, "last4": last4])
                    : uri.hasPrefix("/api/") ? try await app.json(.get, uri, token: credential) : try await app.page(uri, cookie: credential)
                #expect(response.status == .ok, "\(uri): \(response.status)")
                let text = response.text
                let leaked = secrets.filter { text.contains($0) } + Self.fullNumbers(in: text)
                if leaked.isEmpty && response.status == .ok { passed += 1 } else { failures.append("\(uri): \(Set(leaked).sorted())") }
            }
            // the lists are not empty: the masked forms are there instead
            let queue = try await app.page("/desk", cookie: try await cookie("clerk.zz"))
            #expect(queue.text.contains("钱*多") || queue.text.contains("钱**"), "the walk-in is in the clerk's queue, masked")
            SuiteSummary.report("G16", "lists and queries", passed: passed, failed: failures.count)
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    @Test func fullNumbers_findsNumbersButNotMaskedOnesCaseNumbersOrUUIDs() {
        #expect(Self.fullNumbers(in: "证件 410102199001011234 号") == ["410102199001011234"])
        #expect(Self.fullNumbers(in: "手机13800000001，") == ["13800000001"])
        #expect(Self.fullNumbers(in: "<td>41010219900101123X</td>") == ["41010219900101123X"])
        #expect(Self.fullNumbers(in: "4101************34 138****0001").isEmpty)
        #expect(Self.fullNumbers(in: "410100-20261118-AB12CD3 410100SL2026000001").isEmpty)
        #expect(Self.fullNumbers(in: "a13800000001b 12800000001 410102199013011234").isEmpty)
    }
}
