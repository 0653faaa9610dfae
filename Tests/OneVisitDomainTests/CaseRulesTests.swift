import Foundation
import Testing
@testable import OneVisitDomain

@Suite("Case state machine")
struct CaseMachineTests {
    /// Every legal move, with the facts it needs; everything else must be refused.
    static let legal: [CaseState: Set<CaseAction>] = [
        .received: [.accept, .toleranceAccept, .issueNotice, .refuse, .withdraw],
        .awaitingCorrection: [.resubmit, .refuse, .withdraw],
        .underReview: [.completeReview, .withdraw],
        .reviewed: [.approve, .reject, .reportUp, .withdraw],
        .approved: [.deliver],
    ]

    static func permissiveFacts(for action: CaseAction) -> CaseFacts {
        switch action {
        case .toleranceAccept: CaseFacts(onlySecondaryMissing: true, complete: false)
        case .completeReview: CaseFacts(allReviewsDone: true)
        case .reportUp: CaseFacts(decidedAbove: true)
        default: CaseFacts()
        }
    }

    @Test func everyIllegalTransition_isRefused_andEveryLegalOneAllowed() {
        for state in CaseState.allCases {
            for action in CaseAction.allCases {
                let allowed = Self.legal[state]?.contains(action) ?? false
                do {
                    _ = try CaseMachine.apply(action, to: state, facts: Self.permissiveFacts(for: action))
                    #expect(allowed, "\(state) + \(action) should be refused")
                } catch {
                    #expect(!allowed, "\(state) + \(action) should be allowed: \(error.code)")
                    #expect(error.code.hasPrefix("case."))
                    #expect(!error.message.isEmpty)
                }
            }
        }
    }

    @Test func offers_matchesTheLegalTable() {
        for state in CaseState.allCases {
            for action in CaseAction.allCases {
                #expect(CaseMachine.offers(action, from: state) == (Self.legal[state]?.contains(action) ?? false), "\(state) + \(action)")
            }
        }
    }

    @Test func finalStates_acceptNothing() {
        for state in CaseState.allCases where state.isFinal {
            for action in CaseAction.allCases {
                #expect(throws: CaseError.self) { try CaseMachine.apply(action, to: state, facts: Self.permissiveFacts(for: action)) }
            }
        }
    }

    @Test func facts_gateTheTransitions() throws {
        func code(_ action: CaseAction, _ state: CaseState, _ facts: CaseFacts) -> String? {
            do { _ = try CaseMachine.apply(action, to: state, facts: facts); return nil } catch { return error.code }
        }
        #expect(code(.accept, .received, CaseFacts(complete: false)) == "case.materials_incomplete")
        #expect(code(.toleranceAccept, .received, CaseFacts(onlySecondaryMissing: false, complete: false)) == "case.tolerance_primary_missing")
        #expect(code(.toleranceAccept, .received, CaseFacts()) == "case.tolerance_not_needed")
        #expect(code(.completeReview, .underReview, CaseFacts(allReviewsDone: false)) == "case.reviews_pending")
        #expect(code(.approve, .reviewed, CaseFacts(supplementOutstanding: true)) == "case.supplement_outstanding")
        #expect(code(.approve, .reviewed, CaseFacts(decidedAbove: true)) == "case.decided_above")
        #expect(code(.reportUp, .reviewed, CaseFacts()) == "case.not_decided_above")
        #expect(code(.deliver, .approved, CaseFacts(paymentOutstanding: true)) == "case.payment_outstanding")
        #expect(code(.approve, .underReview, CaseFacts()) == "case.decide_before_review")
        #expect(code(.withdraw, .approved, CaseFacts()) == "case.withdraw_after_decision")
        #expect(try CaseMachine.apply(.toleranceAccept, to: .received, facts: CaseFacts(onlySecondaryMissing: true, complete: false)) == .underReview)
        // 行政许可法第三十二条第一款第（四）项: past the notice window a main material missing does not stop the
        // acceptance the law has made; an immediate item is then reviewed, not approved on the spot.
        let lateWithMainMissing = CaseFacts(onlySecondaryMissing: false, complete: false, noticeTooLate: true)
        #expect(try CaseMachine.apply(.toleranceAccept, to: .received, facts: lateWithMainMissing) == .underReview)
        var immediate = lateWithMainMissing
        immediate.immediate = true
        #expect(try CaseMachine.apply(.toleranceAccept, to: .received, facts: immediate) == .underReview)
        immediate.onlySecondaryMissing = true
        #expect(try CaseMachine.apply(.toleranceAccept, to: .received, facts: immediate) == .approved)
    }
}

@Suite("Case rules")
struct CaseRulesTests {
    @Test func caseNumbers_areWellFormedAndDoNotRepeat() {
        var generator = SystemRandomNumberGenerator()
        let day = CalendarDate(year: 2026, month: 11, day: 18)!
        let numbers = (0..<2000).map { _ in CaseNumber.make(region: "410100", on: day, using: &generator) }
        #expect(Set(numbers).count == numbers.count)
        #expect(numbers.allSatisfy(CaseNumber.isWellFormed))
        #expect(numbers[0].hasPrefix("410100-20261118-"))
        #expect(numbers.allSatisfy { !$0.dropFirst(16).contains(where: { "ILOU".contains($0) }) })
        #expect(!CaseNumber.isWellFormed("410100-20261118-ABCDEFI"))
        #expect(!CaseNumber.isWellFormed("410100-2026111-ABCDEFG"))
    }

    @Test func progressQuery_needsTheLastFourOfTheIDNumberOrMobile() {
        let id = "41010219900101123X", phone = "13800000001"
        #expect(CaseNumber.holderMatches(last4: "0001", phone: phone, idNumber: id))
        #expect(CaseNumber.holderMatches(last4: " 123x ", phone: phone, idNumber: id))
        #expect(!CaseNumber.holderMatches(last4: "1234", phone: phone, idNumber: id))
        #expect(!CaseNumber.holderMatches(last4: "001", phone: phone, idNumber: id))    // three characters match nothing
        #expect(!CaseNumber.holderMatches(last4: "", phone: phone, idNumber: nil))
        #expect(!CaseNumber.holderMatches(last4: "00001", phone: phone, idNumber: nil))
        #expect(CaseNumber.make(region: "410100", on: CalendarDate(year: 2026, month: 1, day: 5)!, suffix: "Z000001") == "410100-20260105-Z000001")
    }

    @Test func oneTimeNotice_laterNoticesMayOnlyRepeat() {
        #expect(OneTimeNoticeRule.newItems(requested: ["身份证明", "场所证明"], earlier: []) == [])
        #expect(OneTimeNoticeRule.newItems(requested: ["场所证明"], earlier: [["身份证明", "场所证明"]]) == [])
        #expect(OneTimeNoticeRule.newItems(requested: ["场所证明", "健康证明"], earlier: [["场所证明"]]) == ["健康证明"])
    }

    @Test func rightsNotice_namesBothRemediesAndTheirLimits() {
        let remedies = Remedies(servedOn: CalendarDate(year: 2026, month: 12, day: 4)!, reconsiderationOrgan: "郑州市人民政府",
                                reconsiderationLastDay: CalendarDate(year: 2027, month: 2, day: 2)!, litigationLastDay: CalendarDate(year: 2027, month: 6, day: 4)!)
        let text = RightsNotice.text(remedies, document: .decision)
        #expect(text.contains("六十日内（本决定于2026年12月4日送达的，至2027年2月2日止）向郑州市人民政府申请行政复议"))
        #expect(text.contains("六个月内（至2027年6月4日止）直接向有管辖权的人民法院提起行政诉讼"))
        #expect(!text.contains("人民政府或"))
    }

    @Test(arguments: [("住宅类每件80元；非住宅类每件550元", 8000), ("工本费 20 元", 2000), ("每本 10.5元", 1050), ("不收费", -1)])
    func feeAmounts(standard: String, fen: Int) {
        #expect(FeeAmount.fen(from: standard) == (fen < 0 ? nil : fen))
    }

    @Test func paymentSignature_verifiesOnlyTheSignedFields() {
        let signature = PaymentSignature.sign(orderNumber: "PAY-1", amountFen: 8000, transactionID: "T1", secret: "s3cret-s3cret-s3cret")
        #expect(PaymentSignature.verify(orderNumber: "PAY-1", amountFen: 8000, transactionID: "T1", signature: signature, secret: "s3cret-s3cret-s3cret"))
        #expect(!PaymentSignature.verify(orderNumber: "PAY-1", amountFen: 1, transactionID: "T1", signature: signature, secret: "s3cret-s3cret-s3cret"))
        #expect(!PaymentSignature.verify(orderNumber: "PAY-1", amountFen: 8000, transactionID: "T1", signature: signature, secret: "another-secret-000"))
        #expect(!PaymentSignature.verify(orderNumber: "PAY-1", amountFen: 8000, transactionID: "T1", signature: "", secret: "s3cret-s3cret-s3cret"))
    }

    @Test func trips_overThePromiseAreFlagged() {
        #expect(!TripCount.isOverPromise(visits: 1, promised: 1))
        #expect(TripCount.isOverPromise(visits: 2, promised: 1))
        #expect(TripCount.isOverPromise(visits: 1, promised: 0))
    }
}
