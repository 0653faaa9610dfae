import Foundation

/// What a step does to the legal clock (行政许可法第四十二条、第四十五条).
public enum ClockEffect: String, Sendable, Equatable, CaseIterable {
    /// Acceptance starts the clock (R6.4).
    case start
    /// A special procedure or overdue supplement stops it for a while.
    case suspend
    /// Work goes on: the open suspension ends.
    case resume
    /// A decision, a refusal or a withdrawal ends it.
    case stop
    /// The head extends the limit (up to `CasePolicy.maxExtensionDays`).
    case extend
}

/// What follows when the policy permits a step: the state after it, its effect on the
/// clock, the documents it issues and the event it records.
public struct CaseOutcome: Sendable, Equatable {
    public var next: CaseState
    public var clock: [ClockEffect]
    public var documents: [CaseDocumentKind]
    /// The case event's action name; nil: the step records no state event of its own.
    public var event: String?

    public init(next: CaseState, clock: [ClockEffect] = [], documents: [CaseDocumentKind] = [], event: String? = nil) {
        self.next = next
        self.clock = clock
        self.documents = documents
        self.event = event
    }
}

extension CasePolicy {
    /// 行政许可法第四十二条: the limit may be extended by ten working days in all.
    public static let maxExtensionDays = 10

    /// Cases not yet decided, refused or withdrawn (supervision's "open").
    public static let openStates: [CaseState] = [.received, .awaitingCorrection, .underReview, .reviewed]
    /// Accepted and not yet decided: the clock runs (supervision's "overdue" counts these).
    public static let runningStates: [CaseState] = [.underReview, .reviewed]
    /// What the window's queue shows: to accept or notify, to correct, under way, to hand over.
    public static let deskStates: [CaseState] = [.received, .awaitingCorrection, .approved, .underReview]
    /// Waiting for the lead department head's decision (R8.5).
    public static let awaitingDecision: CaseState = .reviewed
    /// Received and waiting for the window: deemed acceptance looks at these (行政许可法第三十二条).
    public static let awaitingAcceptance: CaseState = .received

    /// The result reached the applicant: its file may be served again (R8.7).
    public static let deliveredState: CaseState = .delivered

    /// The event recorded when the last department's review completes the review (R8.4).
    public static let reviewsCompleteEvent = "reviewed"

    /// The state of a new case, online or at the window (R7.3, R8.2.1).
    public static let initialState: CaseState = .received

    /// Whether `operation` may be done now, in `state`, with these `facts` — and what follows.
    /// `action` picks the machine step where an operation has several (accept or tolerance
    /// accept, approve, reject or report up); without it the facts pick. Who may do it is
    /// `check(_:by:on:)`, asked before this.
    public static func permits(_ operation: CaseOperation, _ action: CaseAction? = nil, in state: CaseState, facts: CaseFacts) throws(CaseError) -> CaseOutcome {
        func refuse(_ code: String, _ message: String) -> CaseError { CaseError(code: code, message: message) }
        switch operation {
        case .view:
            return CaseOutcome(next: state)
        case .register:
            return CaseOutcome(next: initialState, documents: [.receipt], event: "register")
        case .accept:
            let action = action ?? (facts.complete ? .accept : .toleranceAccept)
            guard action == .accept || action == .toleranceAccept else { throw illegal(action, state) }
            let next = try CaseMachine.apply(action, to: state, facts: facts)
            // 即办件 are decided on the spot (R6.6): accepted and approved in one step.
            return next == .approved
                ? CaseOutcome(next: next, clock: [.start, .stop], documents: [.acceptanceSlip, .decision], event: action.rawValue)
                : CaseOutcome(next: next, clock: [.start], documents: [.acceptanceSlip], event: action.rawValue)
        case .issueNotice:
            // No notice after the fifth working day: the case counts as accepted (行政许可法第三十二条).
            if facts.noticeTooLate, state == .received {
                throw refuse("case.notice_too_late", "已超过五个工作日未告知补正，依法视为自收到申请之日起受理，请直接受理")
            }
            return CaseOutcome(next: try CaseMachine.apply(.issueNotice, to: state, facts: facts), documents: [.oneTimeNotice], event: "notice")
        case .refuse:
            return CaseOutcome(next: try CaseMachine.apply(.refuse, to: state, facts: facts), clock: [], documents: [.nonAcceptance], event: "refuse")
        case .resubmit:
            return CaseOutcome(next: try CaseMachine.apply(.resubmit, to: state, facts: facts), event: "resubmit")
        case .withdraw:
            return CaseOutcome(next: try CaseMachine.apply(.withdraw, to: state, facts: facts), clock: [.stop], event: "withdraw")
        case .recordVisit:
            // A visit can happen at any time (R3.8).
            return CaseOutcome(next: state, event: "visit")
        case .supply:
            guard runningStates.contains(state), facts.toleranceOpen else {
                throw refuse("case.no_supplement_due", "该办件没有需补交的容缺材料")
            }
            return CaseOutcome(next: state, clock: facts.clockSuspended ? [.resume] : [], event: "supply")
        case .review:
            guard state == .underReview else { throw refuse("task.case_not_in_review", "办件当前状态为“\(state.chineseName)”，不能审查") }
            return CaseOutcome(next: state, event: "review")
        case .inspect:
            guard state == .underReview else { throw refuse("inspection.case_not_in_review", "办件不在审查阶段") }
            return CaseOutcome(next: state, documents: [.inspectionNotice], event: "inspection")
        case .suspend:
            guard state == .underReview else { throw refuse("clock.case_not_in_review", "只有审查中的办件可以暂停计时") }
            guard !facts.clockSuspended else { throw refuse("clock.already_suspended", "办理时限已暂停") }
            return CaseOutcome(next: state, clock: [.suspend], event: "suspend")
        case .resume:
            guard facts.clockSuspended else { throw refuse("clock.not_suspended", "办理时限未暂停") }
            return CaseOutcome(next: state, clock: [.resume], event: "resume")
        case .decide:
            let action = action ?? .approve
            guard [CaseAction.approve, .reject, .reportUp].contains(action) else { throw illegal(action, state) }
            let next = try CaseMachine.apply(action, to: state, facts: facts)
            return CaseOutcome(next: next, clock: [.stop], documents: action == .reportUp ? [] : [.decision], event: action.rawValue)
        case .extend:
            guard runningStates.contains(state) else { throw refuse("extension.state", "只有审查中的办件可以延期") }
            guard facts.extensionDays < maxExtensionDays else { throw refuse("extension.exceeded", "延期合计不能超过 10 个工作日") }
            return CaseOutcome(next: state, clock: [.extend], event: "extend")
        case .payAtWindow, .payOnline:
            guard state == .approved, facts.paymentPending else { throw refuse("payment.none_due", "该办件没有待缴费用") }
            return CaseOutcome(next: state, event: "pay")
        case .deliverPickup, .deliverPost, .download:
            let mode: ServiceTerms.Delivery = operation == .deliverPickup ? .pickup : (operation == .deliverPost ? .post : .download)
            if let chosen = facts.deliveryMode, chosen != mode {
                // Only in the mode the applicant chose (R8.7): posting a result that is to be
                // collected in person would skip the collector's identity check.
                throw refuse("delivery.mode_mismatch", "申请人选择的送达方式是“\(chosen.chineseName)”，不能以“\(mode.chineseName)”送达")
            }
            // A downloaded result may be downloaded again; delivery is recorded the first time.
            if mode == .download, state == .delivered { return CaseOutcome(next: state) }
            return CaseOutcome(next: try CaseMachine.apply(.deliver, to: state, facts: facts), event: "deliver")
        }
    }

    /// Whether the validity of a step of the machine follows from the state and facts alone,
    /// for the steps a service takes on its own within another (the last review completing
    /// the review).
    public static func follow(_ action: CaseAction, from state: CaseState, facts: CaseFacts) throws(CaseError) -> CaseState {
        try CaseMachine.apply(action, to: state, facts: facts)
    }

    /// Whether the machine ever allows `action` after `state` (whatever the facts).
    public static func offers(_ action: CaseAction, from state: CaseState) -> Bool { CaseMachine.offers(action, from: state) }

    /// Every operation `actor` may do to the case now: the buttons of the case page. Each
    /// step asks again when it is taken.
    public static func available(for actor: CaseActor, on scope: CaseScope, in state: CaseState, facts: CaseFacts) -> Set<CaseOperation> {
        Set(CaseOperation.allCases.filter { operation in
            guard operation != .register, allows(operation, by: actor, on: scope) else { return false }
            let actions: [CaseAction?] = switch operation {
            case .accept: [.accept, .toleranceAccept]
            case .decide: [.approve, .reject, .reportUp]
            default: [nil]
            }
            return actions.contains { (try? permits(operation, $0, in: state, facts: facts)) != nil }
        })
    }

    /// The decisions the head may take now (R8.5.4: an item decided above is only reported up).
    public static func decisions(in state: CaseState, facts: CaseFacts) -> [CaseDecision] {
        CaseDecision.allCases.filter { (try? permits(.decide, $0.action, in: state, facts: facts)) != nil }
    }

    private static func illegal(_ action: CaseAction, _ state: CaseState) -> CaseError {
        CaseError(code: "case.illegal_transition", message: "办件当前状态为“\(state.chineseName)”，不能\(action.chineseName)")
    }
}

/// Opening and closing a suspension of the legal clock (行政许可法第四十五条): the one
/// place for the special procedures (suspend, resume) and the overdue tolerated materials.
public enum SuspensionBook {
    /// The reason recorded when tolerated materials are overdue (R6.5).
    public static let overdueSupplement = "容缺材料逾期未补交"

    /// Opens a suspension from `from` (the day the procedure starts was worked on, so a
    /// suspension starts the next day).
    public static func open(_ suspensions: inout [Suspension], from: CalendarDate, reason: String) throws(CaseError) {
        guard !suspensions.contains(where: \.isOpen) else { throw CaseError(code: "clock.already_suspended", message: "办理时限已暂停") }
        suspensions.append(Suspension(from: from, to: nil, reason: reason))
    }

    /// Closes the open suspension (of `reason` only, when given) as work resumes on `day`:
    /// the day work resumes counts again; resumed before the stop began, nothing was stopped.
    /// False when there was none to close.
    @discardableResult
    public static func close(_ suspensions: inout [Suspension], on day: CalendarDate, reason: String? = nil) -> Bool {
        guard let index = suspensions.lastIndex(where: { $0.isOpen && (reason == nil || $0.reason == reason) }) else { return false }
        if day.previousDay < suspensions[index].from {
            suspensions.remove(at: index)
        } else {
            suspensions[index].to = day.previousDay
        }
        return true
    }
}

/// What the applicant is told happens next (R7.3.2, R7.5), by state.
public enum NextStep {
    /// - Parameters:
    ///   - lastNoticeDay: the last day for a one-time notice, as written.
    ///   - amountDue: the fee still to pay, as written; nil when nothing is due.
    public static func text(state: CaseState, lastNoticeDay: String, toleranceOpen: Bool, amountDue: String?, delivery: ServiceTerms.Delivery) -> String {
        switch state {
        case .received: return "等待窗口审核材料，\(lastNoticeDay)前告知是否受理。"
        case .awaitingCorrection: return "请按一次性告知书补正材料后重新提交。"
        case .underReview: return toleranceOpen ? "各部门正在审查；请在期限内补交容缺材料。" : "各部门正在并联审查，请留意办理时限。"
        case .reviewed: return "审查完毕，等待作出决定。"
        case .approved:
            if let amountDue { return "已准予，请缴纳费用 \(amountDue) 后领取结果。" }
            switch delivery {
            case .download: return "已准予，请下载办理结果。"
            case .post: return "已准予，结果将邮寄送达。"
            case .pickup: return "已准予，请到窗口领取结果（带身份证件）。"
            }
        case .rejected: return "不予办理，书面决定中写明了理由和救济途径。"
        case .reportedUp: return "已报上级机关决定，请留意通知。"
        case .delivered: return "已办结，感谢您的使用，欢迎评价。"
        case .notAccepted: return "不予受理，通知书中写明了理由和救济途径。"
        case .withdrawn: return "申请已撤回。"
        }
    }

    /// Whether the result file may be served by a plain GET: once it was delivered (R8.7);
    /// before, the applicant's download (a POST) delivers it.
    public static func resultServable(_ state: CaseState) -> Bool { state == .delivered }
}
