import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import OneVisitDomain
import SnapshotTesting
import Testing
@testable import OneVisitApp

/// Whole pages of the legal documents and the case page, compared line by line with the
/// recorded ones in __Snapshots__/. The clock starts at `TestApp.start` and moves a minute
/// per step, random numbers come from one seed, so the same steps give the same bytes on
/// SQLite and PostgreSQL. To re-record after an intended change:
/// `SNAPSHOT_TESTING_RECORD=all swift test --filter SnapshotTests`.
@Suite("Snapshots")
struct SnapshotTests {
    @Test func acceptanceSlip() async throws {
        try await Self.document(titled: "受理通知书", of: \.underReview, named: "acceptance-slip")
    }

    @Test func electronicReceipt() async throws {
        try await Self.document(titled: "电子回执", of: \.received, named: "receipt")
    }

    @Test func oneTimeNotice() async throws {
        try await Self.document(titled: "一次性告知书", of: \.awaitingCorrection, named: "one-time-notice")
    }

    @Test func rejectionDecision() async throws {
        // 不动产登记 is a 行政确认: declined by a 不予确认决定书 (issue 13 point 6)
        try await Self.document(titled: "不予确认决定书", of: \.rejected, named: "rejection-decision")
    }

    @Test func nonAcceptanceNotice() async throws {
        try await Self.document(titled: "不予受理通知书", of: \.notAccepted, named: "non-acceptance")
    }

    @Test func casePage_ofTheApplicant_andOfTheClerk() async throws {
        try await Self.withFixtures { app, fixtures in
            let id = fixtures.rejected.summary.id
            for login in [CaseFixtures.applicant, CaseFixtures.clerk] {
                // act
                let page = try await Self.page("/cases/\(id)", app, as: login)
                // check
                assertSnapshot(of: page, as: .lines, named: login == CaseFixtures.applicant ? "applicant" : "clerk")
            }
        }
    }

    // MARK: helpers

    /// The seed of every snapshot test's random numbers.
    static let seed: UInt64 = 20_261_203

    static func withFixtures(_ body: @Sendable (TestApp, CaseFixtures) async throws -> Void) async throws {
        try await TestApp.run(seed: .full, random: SeededRandom(seed: seed)) { app in
            // setup: 张三's cases in each main state
            let fixtures = try await CaseFixtures.make(app)
            try await body(app, fixtures)
        }
    }

    /// Snapshots the document `title` of one fixture case, as its applicant sees it.
    static func document(titled title: String, of fixture: KeyPath<CaseFixtures, CaseDetail> & Sendable, named name: String,
                         sourceLocation: SourceLocation = #_sourceLocation, function: String = #function) async throws {
        try await withFixtures { app, fixtures in
            let c = fixtures[keyPath: fixture]
            let documents = try await app.rows(CaseDocumentRow.self, where: ["case_id": c.summary.id, "title": title])
            #expect(documents.count == 1, "\(documents.count) documents titled \(title)", sourceLocation: sourceLocation)
            let document = try #require(documents.first, sourceLocation: sourceLocation)
            // act
            let page = try await Self.page("/cases/\(c.summary.id)/documents/\(document.id)", app, as: CaseFixtures.applicant)
            // check
            #expect(page.contains(title), sourceLocation: sourceLocation)
            assertSnapshot(of: page, as: .lines, named: name, testName: String(function.prefix { $0 != "(" }))
        }
    }

    /// The page's HTML with database ids replaced by their order of appearance (the demo
    /// data's ids are not drawn from the seeded source).
    static func page(_ uri: String, _ app: TestApp, as login: String) async throws -> String {
        let token = try await app.token(login)
        let response = try await app.client.execute(uri: uri, method: .get, headers: [
            .authorization: "Bearer \(token)", .cookie: "\(CookieNames.csrf)=\(TestApp.csrf)",
        ])
        guard response.status == .ok else { throw TestFailure("GET \(uri) answered \(response.status.code): \(response.text.prefix(300))") }
        return scrubIDs(response.text)
    }

    static func scrubIDs(_ text: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
        var names: [String: String] = [:]
        var result = ""
        var last = text.startIndex
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let range = Range(match.range, in: text)!
            let id = text[range].uppercased()
            let name = names[id] ?? "‹id\(names.count + 1)›"
            names[id] = name
            result += text[last..<range.lowerBound] + name
            last = range.upperBound
        }
        return result + text[last...]
    }
}
