/// 办件 states (R6.3–R6.7, R8.2–R8.7).
public enum CaseState: String, Sendable, Codable, CaseIterable {
    /// 已收件: submitted online or registered at the window, waiting for the clerk.
    case received
    /// 待补正: a one-time notice asks for corrections.
    case awaitingCorrection
    /// 审查中: accepted (possibly with tolerance), departments reviewing in parallel.
    case underReview
    /// 待决定: every department has finished its review.
    case reviewed
    /// 准予: approved; fees and delivery follow.
    case approved
    /// 不予许可: rejected with reasons and the applicant's rights.
    case rejected
    /// 已上报: decided by the higher level.
    case reportedUp
    /// 已送达: the result reached the applicant.
    case delivered
    /// 不予受理.
    case notAccepted
    /// 已撤回 by the applicant.
    case withdrawn

    public var chineseName: String {
        switch self {
        case .received: "已收件，待受理"
        case .awaitingCorrection: "待补正材料"
        case .underReview: "审查中"
        case .reviewed: "审查完毕，待决定"
        case .approved: "准予办理"
        case .rejected: "不予办理"
        case .reportedUp: "已报上级机关决定"
        case .delivered: "已办结送达"
        case .notAccepted: "不予受理"
        case .withdrawn: "已撤回"
        }
    }

    /// No further change except archiving.
    public var isFinal: Bool { [.rejected, .delivered, .notAccepted, .withdrawn, .reportedUp].contains(self) }
}

/// What can happen to a case.
public enum CaseAction: String, Sendable, Codable, CaseIterable {
    case accept, toleranceAccept, issueNotice, resubmit, refuse, completeReview, approve, reject, reportUp, deliver, withdraw

    public var chineseName: String {
        switch self {
        case .accept: "受理"
        case .toleranceAccept: "容缺受理"
        case .issueNotice: "一次性告知补正"
        case .resubmit: "补正材料后重新提交"
        case .refuse: "不予受理"
        case .completeReview: "审查完毕"
        case .approve: "准予"
        case .reject: "不予许可"
        case .reportUp: "报上级决定"
        case .deliver: "送达"
        case .withdraw: "撤回"
        }
    }
}

/// A rule of the case's life broken: stable code, Chinese message (HTTP 409 at the edge).
public struct CaseError: Error, Sendable, Equatable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// The facts a transition depends on besides the state.
public struct CaseFacts: Sendable, Equatable {
    /// Every department task is finished.
    public var allReviewsDone: Bool
    /// Secondary materials promised under tolerance acceptance are still missing (R6.5).
    public var supplementOutstanding: Bool
    /// Fees are due and not yet paid (R8.6).
    public var paymentOutstanding: Bool
    /// The item is decided by the higher level (R8.5.4).
    public var decidedAbove: Bool
    /// Only secondary materials are missing, so tolerance acceptance is possible.
    public var onlySecondaryMissing: Bool
    /// No material is missing at all.
    public var complete: Bool
    /// 即办件 (R6.6): decided on the spot when accepted.
    public var immediate: Bool
    /// The case was accepted with tolerance and its deadline for the missing materials is open (R6.5).
    public var toleranceOpen: Bool
    /// The legal clock has an open suspension (行政许可法第四十五条).
    public var clockSuspended: Bool
    /// A payment order waits to be paid (R8.6).
    public var paymentPending: Bool
    /// Working days the time limit was already extended by (行政许可法第四十二条).
    public var extensionDays: Int
    /// The delivery mode the applicant chose (R8.7); nil: not known, not checked.
    public var deliveryMode: ServiceTerms.Delivery?
    /// Five working days have passed since receipt without a one-time notice: the case counts
    /// as accepted and a notice is too late (行政许可法第三十二条).
    public var noticeTooLate: Bool

    public init(allReviewsDone: Bool = false, supplementOutstanding: Bool = false, paymentOutstanding: Bool = false,
                decidedAbove: Bool = false, onlySecondaryMissing: Bool = false, complete: Bool = true,
                immediate: Bool = false, toleranceOpen: Bool = false, clockSuspended: Bool = false, paymentPending: Bool = false,
                extensionDays: Int = 0, deliveryMode: ServiceTerms.Delivery? = nil, noticeTooLate: Bool = false) {
        self.allReviewsDone = allReviewsDone
        self.supplementOutstanding = supplementOutstanding
        self.paymentOutstanding = paymentOutstanding
        self.decidedAbove = decidedAbove
        self.onlySecondaryMissing = onlySecondaryMissing
        self.complete = complete
        self.immediate = immediate
        self.toleranceOpen = toleranceOpen
        self.clockSuspended = clockSuspended
        self.paymentPending = paymentPending
        self.extensionDays = extensionDays
        self.deliveryMode = deliveryMode
        self.noticeTooLate = noticeTooLate
    }
}

/// The case state machine. Pure: the state, an action and the facts in; the next state
/// or the reason it is refused out. Asked only through `CasePolicy`.
enum CaseMachine {
    /// Whether `action` can ever follow `state` (facts such as missing materials may still
    /// refuse it); pages use this to offer only the steps the machine allows.
    static func offers(_ action: CaseAction, from state: CaseState) -> Bool {
        let permissive: CaseFacts = switch action {
        case .toleranceAccept: CaseFacts(onlySecondaryMissing: true, complete: false)
        case .completeReview: CaseFacts(allReviewsDone: true)
        case .reportUp: CaseFacts(decidedAbove: true)
        default: CaseFacts()
        }
        return (try? apply(action, to: state, facts: permissive)) != nil
    }

    static func apply(_ action: CaseAction, to state: CaseState, facts: CaseFacts) throws(CaseError) -> CaseState {
        func refuse(_ code: String, _ message: String) -> CaseError { CaseError(code: code, message: message) }
        let illegal = refuse("case.illegal_transition", "办件当前状态为“\(state.chineseName)”，不能\(action.chineseName)")
        switch (state, action) {
        case (.received, .accept):
            guard facts.complete else { throw refuse("case.materials_incomplete", "材料不齐全，不能直接受理；次要材料欠缺的可容缺受理，其他情形请一次性告知补正") }
            // 即办件 are decided on the spot (R6.6).
            return facts.immediate ? .approved : .underReview
        case (.received, .toleranceAccept):
            guard !facts.complete else { throw refuse("case.tolerance_not_needed", "材料齐全，请直接受理") }
            // 行政许可法第三十二条第一款第（四）项: no notice within five working days — accepted from
            // receipt whatever is missing; the missing materials are to be supplied (R6.5's deadline),
            // and a 即办件 is not decided on the spot without its main materials.
            guard facts.onlySecondaryMissing || facts.noticeTooLate else { throw refuse("case.tolerance_primary_missing", "主要材料欠缺，不能容缺受理（DB41/T 1700.1 6.5），请一次性告知补正") }
            return facts.immediate && facts.onlySecondaryMissing ? .approved : .underReview
        case (.received, .issueNotice):
            return .awaitingCorrection
        case (.awaitingCorrection, .resubmit):
            return .received
        case (.received, .refuse), (.awaitingCorrection, .refuse):
            return .notAccepted
        case (.underReview, .completeReview):
            guard facts.allReviewsDone else { throw refuse("case.reviews_pending", "仍有部门未完成审查") }
            return .reviewed
        case (.reviewed, .approve):
            guard !facts.decidedAbove else { throw refuse("case.decided_above", "本事项由上级机关决定，请报上级") }
            guard !facts.supplementOutstanding else { throw refuse("case.supplement_outstanding", "容缺材料尚未补齐，不能作出准予决定") }
            return .approved
        case (.reviewed, .reject):
            return .rejected
        case (.reviewed, .reportUp):
            guard facts.decidedAbove else { throw refuse("case.not_decided_above", "本事项由本级决定，无需上报") }
            return .reportedUp
        case (.approved, .deliver):
            guard !facts.paymentOutstanding else { throw refuse("case.payment_outstanding", "费用尚未缴纳，不能送达结果") }
            return .delivered
        case (.received, .withdraw), (.awaitingCorrection, .withdraw), (.underReview, .withdraw), (.reviewed, .withdraw):
            return .withdrawn
        case (_, .withdraw):
            throw refuse("case.withdraw_after_decision", "已作出决定或已办结的办件不能撤回")
        case (.underReview, .approve), (.underReview, .reject), (.received, .approve), (.received, .reject):
            throw refuse("case.decide_before_review", "审查尚未完成，不能作出决定")
        default:
            throw illegal
        }
    }
}
