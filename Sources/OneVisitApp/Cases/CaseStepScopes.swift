import OneVisitDomain

/// Each case step as a role scope for its route (pages and API): the roles come from
/// `CasePolicy`, so a step's handler cannot run for a role the policy never allows it.
enum CaseSteps {
    enum View: CaseOperationScope { static var operation: CaseOperation { .view } }
    enum Register: CaseOperationScope { static var operation: CaseOperation { .register } }
    enum Accept: CaseOperationScope { static var operation: CaseOperation { .accept } }
    enum IssueNotice: CaseOperationScope { static var operation: CaseOperation { .issueNotice } }
    enum Refuse: CaseOperationScope { static var operation: CaseOperation { .refuse } }
    enum Resubmit: CaseOperationScope { static var operation: CaseOperation { .resubmit } }
    enum RecordVisit: CaseOperationScope { static var operation: CaseOperation { .recordVisit } }
    enum Withdraw: CaseOperationScope { static var operation: CaseOperation { .withdraw } }
    enum Supply: CaseOperationScope { static var operation: CaseOperation { .supply } }
    enum Review: CaseOperationScope { static var operation: CaseOperation { .review } }
    enum Inspect: CaseOperationScope { static var operation: CaseOperation { .inspect } }
    enum Suspend: CaseOperationScope { static var operation: CaseOperation { .suspend } }
    enum Resume: CaseOperationScope { static var operation: CaseOperation { .resume } }
    enum Decide: CaseOperationScope { static var operation: CaseOperation { .decide } }
    enum Extend: CaseOperationScope { static var operation: CaseOperation { .extend } }
    enum PayAtWindow: CaseOperationScope { static var operation: CaseOperation { .payAtWindow } }
    enum PayOnline: CaseOperationScope { static var operation: CaseOperation { .payOnline } }
    enum Download: CaseOperationScope { static var operation: CaseOperation { .download } }

    /// Delivery at the window or by post: the mode the applicant chose decides which (R8.7).
    enum Deliver: RoleScope {
        static var roles: Set<Role> { CasePolicy.roles(for: .deliverPickup).union(CasePolicy.roles(for: .deliverPost)) }
    }
}
