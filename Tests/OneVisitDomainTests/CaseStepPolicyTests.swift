import Foundation
import OneVisitDomain
import Testing

@Suite("Case policy: state, facts and what follows")
struct CaseStepPolicyTests {
    let owner = UUID(), lead = UUID()
    var scope: CaseScope { CaseScope(regionCode: "410102", applicantID: owner, leadDepartmentID: lead, taskDepartmentIDs: [lead]) }
    var applicant: CaseActor { CaseActor(role: .applicant, accountID: owner, regionCode: nil, departmentID: nil) }
    var clerk: CaseActor { CaseActor(role: .staff(.windowClerk), accountID: UUID(), regionCode: "410100", departmentID: nil) }
    var head: CaseActor { CaseActor(role: .staff(.departmentHead), accountID: UUID(), regionCode: "410102", departmentID: lead) }

    func code(_ operation: CaseOperation, _ action: CaseAction, _ state: CaseState, _ facts: CaseFacts = CaseFacts()) -> String? {
        do { _ = try CasePolicy.permits(operation, action, in: state, facts: facts); return nil } catch { return error.code }
    }

    func code(_ operation: CaseOperation, _ state: CaseState, _ facts: CaseFacts = CaseFacts()) -> String? {
        do { _ = try CasePolicy.permits(operation, in: state, facts: facts); return nil } catch { return error.code }
    }

    @Test func accepting_startsTheClockAndIssuesTheSlip() throws {
        let outcome = try CasePolicy.permits(.accept, in: .received, facts: CaseFacts())
        #expect(outcome == CaseOutcome(next: .underReview, clock: [.start], documents: [.acceptanceSlip], event: "accept"))
        let tolerated = try CasePolicy.permits(.accept, in: .received, facts: CaseFacts(onlySecondaryMissing: true, complete: false))
        #expect(tolerated.event == "toleranceAccept")
        #expect(code(.accept, .received, CaseFacts(onlySecondaryMissing: false, complete: false)) == "case.tolerance_primary_missing")
        #expect(code(.accept, .accept, .underReview) == "case.illegal_transition")
    }

    @Test func immediateItems_areApprovedOnTheSpot_throughTheMachine() throws {
        let outcome = try CasePolicy.permits(.accept, in: .received, facts: CaseFacts(immediate: true))
        #expect(outcome.next == .approved)
        #expect(outcome.clock == [.start, .stop])
        #expect(outcome.documents == [.acceptanceSlip, .decision])
    }

    @Test func noticeAfterTheFifthDay_isRefused_onlyWhileReceived() {
        #expect(code(.issueNotice, .received, CaseFacts(noticeTooLate: true)) == "case.notice_too_late")
        #expect(code(.issueNotice, .received) == nil)
        #expect(code(.issueNotice, .underReview) == "case.illegal_transition")
    }

    @Test func clockSteps_needTheirState() {
        #expect(code(.suspend, .underReview) == nil)
        #expect(code(.suspend, .reviewed) == "clock.case_not_in_review")
        #expect(code(.suspend, .underReview, CaseFacts(clockSuspended: true)) == "clock.already_suspended")
        #expect(code(.resume, .underReview) == "clock.not_suspended")
        #expect(code(.resume, .reviewed, CaseFacts(clockSuspended: true)) == nil)
        #expect(code(.extend, .reviewed) == nil)
        #expect(code(.extend, .approved) == "extension.state")
        #expect(code(.extend, .underReview, CaseFacts(extensionDays: 10)) == "extension.exceeded")
        #expect(code(.review, .reviewed) == "task.case_not_in_review")
        #expect(code(.inspect, .received) == "inspection.case_not_in_review")
    }

    @Test func supplyAndPayment_needTheirFacts() {
        #expect(code(.supply, .underReview) == "case.no_supplement_due")
        #expect(code(.supply, .reviewed, CaseFacts(toleranceOpen: true)) == nil)
        #expect(code(.supply, .approved, CaseFacts(toleranceOpen: true)) == "case.no_supplement_due")
        #expect(code(.payAtWindow, .approved) == "payment.none_due")
        #expect(code(.payOnline, .approved, CaseFacts(paymentPending: true)) == nil)
        #expect(code(.payOnline, .reviewed, CaseFacts(paymentPending: true)) == "payment.none_due")
    }

    @Test func delivery_onlyInTheChosenMode_andOnlyWhenPaid() throws {
        #expect(code(.deliverPost, .approved, CaseFacts(deliveryMode: .pickup)) == "delivery.mode_mismatch")
        #expect(code(.deliverPickup, .approved, CaseFacts(paymentOutstanding: true, deliveryMode: .pickup)) == "case.payment_outstanding")
        #expect(try CasePolicy.permits(.deliverPickup, in: .approved, facts: CaseFacts(deliveryMode: .pickup)).next == .delivered)
        // a delivered download may be downloaded again, without a new event
        #expect(try CasePolicy.permits(.download, in: .delivered, facts: CaseFacts(deliveryMode: .download)) == CaseOutcome(next: .delivered))
        #expect(code(.download, .reviewed, CaseFacts(deliveryMode: .download)) == "case.illegal_transition")
    }

    @Test func decisions_stopTheClock_andReportingUpIssuesNoDecision() throws {
        let approve = try CasePolicy.permits(.decide, .approve, in: .reviewed, facts: CaseFacts())
        #expect(approve.next == .approved && approve.clock == [.stop] && approve.documents == [.decision])
        let up = try CasePolicy.permits(.decide, .reportUp, in: .reviewed, facts: CaseFacts(decidedAbove: true))
        #expect(up.next == .reportedUp && up.documents.isEmpty)
        #expect(CasePolicy.decisions(in: .reviewed, facts: CaseFacts(decidedAbove: true)) == [.reject, .reportUp])
        #expect(CasePolicy.decisions(in: .underReview, facts: CaseFacts()).isEmpty)
        #expect(code(.decide, .accept, .reviewed) == "case.illegal_transition")
    }

    @Test func available_isWhatTheActorMayDoNow() {
        #expect(CasePolicy.available(for: applicant, on: scope, in: .received, facts: CaseFacts()) == [.view, .withdraw])
        #expect(CasePolicy.available(for: applicant, on: scope, in: .approved, facts: CaseFacts(paymentOutstanding: true, paymentPending: true, deliveryMode: .download))
            == [.view, .payOnline])
        #expect(CasePolicy.available(for: applicant, on: scope, in: .approved, facts: CaseFacts(deliveryMode: .download)) == [.view, .download])
        let clerkNow = CasePolicy.available(for: clerk, on: scope, in: .received, facts: CaseFacts())
        #expect(clerkNow == [.view, .accept, .issueNotice, .refuse, .recordVisit])
        #expect(!CasePolicy.available(for: clerk, on: scope, in: .received, facts: CaseFacts(onlySecondaryMissing: false, complete: false)).contains(.accept))
        #expect(CasePolicy.available(for: head, on: scope, in: .reviewed, facts: CaseFacts()).isSuperset(of: [.decide, .extend]))
        // someone else's case: nothing, not even a view
        let stranger = CaseActor(role: .applicant, accountID: UUID(), regionCode: nil, departmentID: nil)
        #expect(CasePolicy.available(for: stranger, on: scope, in: .received, facts: CaseFacts()).isEmpty)
    }

    @Test func stateLists_agreeWithTheMachine() {
        #expect(CasePolicy.openStates.allSatisfy { !$0.isFinal && $0 != .approved })
        #expect(CasePolicy.runningStates.allSatisfy { (try? CasePolicy.permits(.extend, in: $0, facts: CaseFacts())) != nil })
        #expect((try? CasePolicy.permits(.decide, .reject, in: CasePolicy.awaitingDecision, facts: CaseFacts())) != nil)
        #expect((try? CasePolicy.permits(.accept, in: CasePolicy.awaitingAcceptance, facts: CaseFacts())) != nil)
        #expect(CasePolicy.initialState == CasePolicy.awaitingAcceptance)
    }
}

@Suite("Case rules: suspension, numbers, payment, holder")
struct CaseLedgerTests {
    let day = CalendarDate(year: 2026, month: 12, day: 3)!

    @Test func suspensions_openOnceAndCloseTheDayBefore() throws {
        var book: [Suspension] = []
        try SuspensionBook.open(&book, from: day.nextDay, reason: "专家评审")
        #expect(throws: CaseError(code: "clock.already_suspended", message: "办理时限已暂停")) { try SuspensionBook.open(&book, from: day, reason: "x") }
        #expect(SuspensionBook.close(&book, on: day.adding(days: 5)))
        #expect(book == [Suspension(from: day.nextDay, to: day.adding(days: 4), reason: "专家评审")])
        #expect(!SuspensionBook.close(&book, on: day.adding(days: 6)))
    }

    @Test func resumingBeforeTheStopBegan_leavesNoSuspension() throws {
        var book: [Suspension] = []
        try SuspensionBook.open(&book, from: day.nextDay, reason: "检验检测")
        #expect(SuspensionBook.close(&book, on: day))
        #expect(book.isEmpty)
    }

    @Test func closingByReason_leavesOthersOpen() throws {
        var book: [Suspension] = []
        try SuspensionBook.open(&book, from: day, reason: "专家评审")
        #expect(!SuspensionBook.close(&book, on: day.adding(days: 3), reason: SuspensionBook.overdueSupplement))
        #expect(book.first?.isOpen == true)
    }

    @Test(arguments: DocumentNumber.Series.allCases)
    func documentNumbers_haveOneShape(series: DocumentNumber.Series) {
        let number = DocumentNumber(series: series, region: "410102", year: 2026, sequence: 42)
        #expect(number.description == "410102\(series.rawValue)2026000042")
        #expect(DocumentNumber.counter(series, region: "410102", year: 2026).hasSuffix("-410102-2026"))
    }

    @Test func documentCounters_differBySeries() {
        let counters = Set(DocumentNumber.Series.allCases.map { DocumentNumber.counter($0, region: "410102", year: 2026) })
        #expect(counters.count == DocumentNumber.Series.allCases.count)
        #expect(DocumentNumber.counter(.acceptance, region: "410102", year: 2026) == "acceptance-410102-2026")
    }

    @Test func settlement_isOneRule() {
        #expect(PaymentSettlement.isSettled(feeFen: 0, orders: []))
        #expect(!PaymentSettlement.isSettled(feeFen: 8000, orders: []))
        #expect(!PaymentSettlement.isSettled(feeFen: 8000, orders: [.pending]))
        #expect(PaymentSettlement.isSettled(feeFen: 8000, orders: [.paid]))
        #expect(PaymentSettlement.hasPendingOrder([.paid, .pending]))
        #expect(!PaymentSettlement.hasPendingOrder([.paid]))
    }

    @Test func holderCheck_isTheSameForProgressAndPickup() {
        let id = "41010219900101123X"
        #expect(HolderCheck.matchesIDNumber(" 123x ", idNumber: id))
        #expect(!HolderCheck.matchesIDNumber("0001", idNumber: id))
        #expect(!HolderCheck.matchesIDNumber("23X", idNumber: id))
        #expect(!HolderCheck.matchesIDNumber("123X", idNumber: nil))
        #expect(HolderCheck.matches("0001", phone: "13800000001", idNumber: id))
        #expect(HolderCheck.matches("123x", phone: "13800000001", idNumber: id))
    }

    @Test func trips_noteSaysWhenThePromiseIsExceeded() {
        #expect(TripCount.note(visits: 1, promised: 1) == "跑动 1 次")
        #expect(TripCount.note(visits: 2, promised: 1) == "跑动 2 次，超过承诺的 1 次")
    }

    @Test func calendarDates_codeAsDayText_andReadTheOlderShape() throws {
        #expect(String(decoding: try JSONEncoder().encode(day), as: UTF8.self) == "\"2026-12-03\"")
        #expect(try JSONDecoder().decode(CalendarDate.self, from: Data(#"{"year":2026,"month":12,"day":3}"#.utf8)) == day)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CalendarDate.self, from: Data("\"2026-02-30\"".utf8)) }
    }
}
