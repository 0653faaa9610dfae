import FluentKit
import FluentSQL
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// Issue 10 item 6: the public progress query (R7.5) stops answering after 5 wrong tries
/// per case number and 30 per address within an hour. In-process every request comes
/// from the same address ("local"), so the per-address limit is shared by a whole test.
@Suite("Progress query throttle")
struct ProgressThrottleTests {
    /// 张三's mobile 13800000001 and ID number 410102199001011234.
    static let rightDigits: Set<String> = ["0001", "1234"]

    /// A fresh case of 张三's, by its number.
    static func caseNumber(_ app: TestApp) async throws -> String {
        let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
        let applicant = try await app.token("13800000001")
        return try CaseFlowTests.detail(try await CaseFlowTests.submit(app, token: applicant, implementation: implementation, files: [0])).summary.number
    }

    static func api(_ app: TestApp, _ number: String, _ last4: String) async throws -> TestResponse {
        try await app.json(.post, "/api/v1/progress", body: #"{"number":"\#(number)","last4":"\#(last4)"}"#)
    }

    static func page(_ app: TestApp, _ number: String, _ last4: String) async throws -> TestResponse {
        try await app.form("/progress", ["number": number, "last4": last4])
    }

    /// The page's error paragraph: its code and text.
    static func pageError(_ response: TestResponse) -> (code: String, text: String)? {
        guard let match = response.text.firstMatch(of: /<p class="form-error" role="alert" id="progress-error" data-code="([^"]+)">([^<]+)<\/p>/) else { return nil }
        return (String(match.1), String(match.2))
    }

    /// The problem without its `instance` (the request's id), as bytes to compare.
    static func problemWithoutInstance(_ response: TestResponse) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        object["instance"] = nil
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    @Test func api_sixthWrongGuessIs429WithRetryAfter_theRightDigitsToo_untilTheHourHasPassed() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let number = try await Self.caseNumber(app)
            // act: five wrong guesses are answered
            for guess in ["9990", "9991", "9992", "9993", "9994"] {
                let wrong = try await Self.api(app, number, guess)
                #expect(wrong.status == .notFound)
                #expect(try wrong.problem().code == "progress.not_found")
            }
            let sixth = try await Self.api(app, number, "9995")
            // check
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.headers[.retryAfter] == "3600")
            #expect(sixth.headers[.contentType] == "application/problem+json")
            let problem = try sixth.problem()
            #expect(problem.code == "progress.throttled")
            #expect(problem.status == 429)
            #expect(problem.title == "查询过于频繁，请 60 分钟后再试；如忘记证件号码，请携带身份证到政务服务大厅查询")
            // the right digits are refused as well, and nothing tells them apart
            let right = try await Self.api(app, number, "0001")
            #expect(right.status == .tooManyRequests)
            #expect(try Self.problemWithoutInstance(right) == Self.problemWithoutInstance(sixth))
            app.clock.advance(by: 45 * 60)
            let later = try await Self.api(app, number, "1234")
            #expect(later.status == .tooManyRequests)
            #expect(later.headers[.retryAfter] == "900")
            #expect(try later.problem().title.contains("请 15 分钟后再试"))
            // the hour from the first wrong guess has passed
            app.clock.advance(by: 15 * 60)
            let answered = try await Self.api(app, number, "0001")
            #expect(answered.status == .ok)
            #expect(answered.text.contains("\"applicant\":\"张*\""))
        }
    }

    @Test func page_sixthWrongGuessIs429InTheFormsErrorArea_theRightDigitsToo_untilTheHourHasPassed() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let number = try await Self.caseNumber(app)
            #expect(try await Self.page(app, number, "0001").status == .ok)
            // act
            for guess in ["9990", "9991", "9992", "9993", "9994"] {
                let wrong = try await Self.page(app, number, guess)
                #expect(wrong.status == .notFound)
                #expect(Self.pageError(wrong)?.code == "progress.not_found")
                #expect(wrong.text.contains(#"aria-describedby="progress-error" aria-invalid="true""#))
            }
            let sixth = try await Self.page(app, number, "9995")
            // check
            #expect(sixth.status == .tooManyRequests)
            #expect(sixth.headers[.retryAfter] == "3600")
            let error = try #require(Self.pageError(sixth))
            #expect(error.code == "progress.throttled")
            #expect(error.text == "查询过于频繁，请 60 分钟后再试；如忘记证件号码，请携带身份证到政务服务大厅查询")
            // the error is tied to both fields; they are not marked wrong: the refusal is not about them
            #expect(sixth.text.contains(#"<input id="last4" name="last4" maxlength="4" required autocomplete="off" aria-describedby="progress-error">"#))
            #expect(sixth.text.contains(#"value="\#(number)""#))
            let right = try await Self.page(app, number, "0001")
            #expect(right.status == .tooManyRequests)
            #expect(!right.text.contains("已收件，待受理"))
            app.clock.advance(by: 60 * 60)
            let answered = try await Self.page(app, number, "0001")
            #expect(answered.status == .ok)
            #expect(answered.text.contains("已收件，待受理"))
            #expect(Self.pageError(answered) == nil)
        }
    }

    @Test func unknownOrMalformedNumber_isAnsweredExactlyAsAWrongLast4_andCounts() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let number = try await Self.caseNumber(app)
            let unknown = String(number.dropLast(7)) + (number.hasSuffix("AAAAAAA") ? "BBBBBBB" : "AAAAAAA")
            // act
            let wrongDigits = try await Self.api(app, number, "9999")
            let wrongNumber = try await Self.api(app, unknown, "0001")
            let malformed = try await Self.api(app, "410100-2026", "0001")
            let wrongDigitsPage = try await Self.page(app, number, "9999")
            let wrongNumberPage = try await Self.page(app, unknown, "0001")
            // check: status, content type and every field of the problem but the request's id
            for other in [wrongNumber, malformed] {
                #expect(other.status == wrongDigits.status)
                #expect(other.headers[.contentType] == wrongDigits.headers[.contentType])
                #expect(try Self.problemWithoutInstance(other) == Self.problemWithoutInstance(wrongDigits))
            }
            #expect(try wrongDigits.problem().code == "progress.not_found")
            #expect(wrongNumberPage.status == wrongDigitsPage.status)
            #expect(try #require(Self.pageError(wrongNumberPage)) == (try #require(Self.pageError(wrongDigitsPage))))
            #expect(wrongNumberPage.text.count == wrongDigitsPage.text.count)
            // guessing numbers is throttled as well: three more tries of the unknown one
            for _ in 0..<3 { #expect(try await Self.api(app, unknown, "0001").status == .notFound) }
            let refused = try await Self.api(app, unknown, "0001")
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.problem().code == "progress.throttled")
            // the real case has had 2 wrong tries of its own: 3 more are answered
            for _ in 0..<3 { #expect(try await Self.api(app, number, "9999").status == .notFound) }
            #expect(try await Self.api(app, number, "9999").status == .tooManyRequests)
        }
    }

    @Test func thirtyWrongTriesFromOneAddress_acrossManyNumbers_refuseEveryNumber_onPageAndAPI() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 30 unknown numbers of the day, one wrong try each, half on the page
            let number = try await Self.caseNumber(app)
            let prefix = String(number.dropLast(7))
            let unknowns = (0..<31).map { prefix + "ZZZZZ" + String(format: "%02d", $0) }
            for (index, unknown) in unknowns.prefix(30).enumerated() {
                let response = index.isMultiple(of: 2) ? try await Self.api(app, unknown, "0001") : try await Self.page(app, unknown, "0001")
                #expect(response.status == .notFound, "try \(index + 1)")
            }
            app.clock.advance(by: 10 * 60)
            // act
            let fresh = try await Self.api(app, unknowns[30], "0001")
            let right = try await Self.api(app, number, "0001")
            let rightPage = try await Self.page(app, number, "1234")
            // check: a number never tried before, and the right digits of a real case, refused alike
            #expect(fresh.status == .tooManyRequests)
            #expect(fresh.headers[.retryAfter] == "3000")
            #expect(try fresh.problem().title.contains("请 50 分钟后再试"))
            #expect(right.status == .tooManyRequests)
            #expect(rightPage.status == .tooManyRequests)
            #expect(Self.pageError(rightPage)?.code == "progress.throttled")
            // nothing was counted for the real case while the address was refused
            app.clock.advance(by: 50 * 60)
            #expect(try await Self.api(app, number, "0001").status == .ok)
            for _ in 0..<5 { #expect(try await Self.api(app, number, "9999").status == .notFound) }
            #expect(try await Self.api(app, number, "9999").status == .tooManyRequests)
        }
    }

    @Test func rightAnswers_areNotCounted_andResetNothing() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let number = try await Self.caseNumber(app)
            for _ in 0..<4 { #expect(try await Self.api(app, number, "9999").status == .notFound) }
            // act: the applicant checks again and again
            for _ in 0..<40 { #expect(try await Self.api(app, number, "0001").status == .ok) }
            // check: the fifth wrong try is still answered, the sixth is not
            #expect(try await Self.api(app, number, "9999").status == .notFound)
            #expect(try await Self.api(app, number, "0001").status == .tooManyRequests)
        }
    }

    @Test func pruneProgressAttempts_forgetsClosedWindowsOnly() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: one address and two numbers counted at t0, one more number at t0 + 50 min
            let number = try await Self.caseNumber(app)
            _ = try await Self.api(app, number, "9999")
            _ = try await Self.api(app, number.lowercased() + "X", "9999")
            app.clock.advance(by: 50 * 60)
            _ = try await Self.api(app, String(number.dropLast()) + "9", "9999")
            func rows() async throws -> Int {
                struct Row: Decodable { var n: Int }
                return try await app.services.persistence.sql.raw("SELECT COUNT(*) AS n FROM progress_attempts").first(decoding: Row.self)?.n ?? -1
            }
            #expect(try await rows() == 4)
            // act: a cutoff later than the windows still open keeps them
            try await app.services.cases.pruneProgressAttempts(olderThan: app.clock.now)
            #expect(try await rows() == 4)
            app.clock.advance(by: 10 * 60)
            try await app.services.cases.pruneProgressAttempts(olderThan: app.clock.now)
            // check: the windows opened at t0 have passed; the last number's is open
            #expect(try await rows() == 1)
        }
    }
}

extension ProgressThrottleTests {
    /// `make test`: 200 guesses; `make soak` (ONEVISIT_SOAK=1): all 10,000. Named so that
    /// `make soak`'s `--filter Reliability` runs it.
    @Suite("Progress query throttle under load")
    struct Reliability {
        @Test func tenThousandGuessesAtOnce_atMostFiveWrongOnesAnswered() async throws {
            try await TestApp.run(seed: .full) { app in
                // setup
                let number = try await ProgressThrottleTests.caseNumber(app)
                let count = ProcessInfo.processInfo.environment["ONEVISIT_SOAK"] == nil ? 200 : 10_000
                let batch = 50
                // act: every four digits in order, 50 at a time
                typealias Answer = (guess: String, status: HTTPResponse.Status)
                var answers: [Answer] = []
                for start in stride(from: 0, to: count, by: batch) {
                    let answered: [Answer] = try await withThrowingTaskGroup(of: Answer.self) { group in
                        for value in start..<min(start + batch, count) {
                            let guess = String(format: "%04d", value)
                            group.addTask { (guess, try await ProgressThrottleTests.api(app, number, guess).status) }
                        }
                        return try await group.reduce(into: [Answer]()) { $0.append($1) }
                    }
                    answers += answered
                }
                // check: at most 5 wrong guesses answered; the right digits confirmed only if counted
                // within those first tries (0001 is in the first batch, 1234 long after them)
                let rights = ProgressThrottleTests.rightDigits
                let wrongAnswered = answers.filter { !rights.contains($0.guess) && $0.status == .notFound }
                let confirmed = answers.filter { rights.contains($0.guess) && $0.status == .ok }.map(\.guess)
                let strays = answers.filter { answer in
                    switch answer.status {
                    case .tooManyRequests: false
                    case .notFound: rights.contains(answer.guess)
                    case .ok: answer.guess != "0001"
                    default: true
                    }
                }
                let failed = strays.count + max(0, wrongAnswered.count - 5)
                SuiteSummary.report("G-progress", "guesses", passed: answers.count - failed, failed: failed)
                #expect(answers.count == count)
                #expect(wrongAnswered.count <= 5, "\(wrongAnswered.map(\.guess))")
                #expect(wrongAnswered.count + confirmed.count >= 5, "the first five tries are answered")
                #expect(answers.count - answers.filter { $0.status == .tooManyRequests }.count <= 5 + confirmed.count)
                #expect(strays.isEmpty, "\(strays.prefix(10))")
                // and the right digits stay refused for the rest of the hour
                #expect(try await ProgressThrottleTests.api(app, number, "1234").status == .tooManyRequests)
            }
        }
    }
}
