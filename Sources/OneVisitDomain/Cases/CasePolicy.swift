import Foundation

/// Everything a person can do to a case, as the policy names it.
public enum CaseOperation: String, Sendable, CaseIterable {
    case view
    /// A clerk registers a walk-in, letter, fax or e-mail application (R8.2.1); the scope is
    /// the implementation's region, the case does not exist yet.
    case register
    case accept, issueNotice, refuse, resubmit, recordVisit
    case withdraw, supply
    case review, inspect, suspend, resume
    case decide, extend
    case payAtWindow, payOnline
    case deliverPickup, deliverPost, download

    /// The delivery step for a mode the applicant chose (R8.7).
    public static func deliver(_ mode: ServiceTerms.Delivery) -> CaseOperation {
        switch mode {
        case .pickup: .deliverPickup
        case .post: .deliverPost
        case .download: .download
        }
    }
}

/// Who asks: role, and for staff where they work.
public struct CaseActor: Sendable, Equatable {
    public var role: Role
    public var accountID: UUID
    public var regionCode: String?
    public var departmentID: UUID?

    public init(role: Role, accountID: UUID, regionCode: String?, departmentID: UUID?) {
        self.role = role
        self.accountID = accountID
        self.regionCode = regionCode
        self.departmentID = departmentID
    }
}

/// What of a case decides who may touch it.
public struct CaseScope: Sendable, Equatable {
    public var regionCode: String
    public var applicantID: UUID?
    /// The lead department, whose head decides (R8.5).
    public var leadDepartmentID: UUID?
    /// Departments with a review task on the case (R8.3); for a step on one task, that task's department only.
    public var taskDepartmentIDs: Set<UUID>

    public init(regionCode: String, applicantID: UUID?, leadDepartmentID: UUID?, taskDepartmentIDs: Set<UUID> = []) {
        self.regionCode = regionCode
        self.applicantID = applicantID
        self.leadDepartmentID = leadDepartmentID
        self.taskDepartmentIDs = taskDepartmentIDs
    }
}

/// Why the policy said no. `hidesCase`: the answer must not tell that the case exists.
public enum CaseAccessDenial: Error, Sendable, Equatable {
    case role, notOwner, otherRegion, otherDepartment, notLeadDepartment

    public var code: String {
        switch self {
        case .role: "auth.forbidden"
        case .notOwner: "case.not_found"
        case .otherRegion: "case.other_region"
        case .otherDepartment: "task.other_department"
        case .notLeadDepartment: "decision.not_lead"
        }
    }

    public var message: String {
        switch self {
        case .role: "您没有执行此操作的权限"
        case .notOwner: "办件不存在"
        case .otherRegion: "该办件不属于您所在的区划"
        case .otherDepartment: "该办件没有您部门的任务"
        case .notLeadDepartment: "由牵头部门负责人作出决定"
        }
    }

    public var hidesCase: Bool { self == .notOwner }
}

/// The one place that decides "may this role, in this region and department, do this to
/// this case" (R7.1.6, quality bar). Services ask it inside the step's transaction, pages
/// ask it for the buttons they show, and the access-matrix test reads its table.
public enum CasePolicy {
    /// How far a role reaches for an operation.
    public enum Reach: Sendable, Equatable {
        /// Only the applicant's own cases.
        case owner
        /// Cases of the actor's region or a region below it (GB/T 2260).
        case region
        /// Cases on which the actor's department has a task.
        case taskDepartment
        /// Cases on which the actor's department has a task or is the lead department.
        case taskOrLeadDepartment
        /// Cases whose lead department is the actor's.
        case leadDepartment
    }

    static let clerk = Role.staff(.windowClerk)
    static let reviewer = Role.staff(.departmentReviewer)
    static let head = Role.staff(.departmentHead)
    static let supervisor = Role.staff(.supervisor)

    /// Every operation's roles and their reach: the table the access-matrix test reads.
    public static func rule(for operation: CaseOperation) -> [Role: Reach] {
        switch operation {
        case .view:
            [.applicant: .owner, clerk: .region, reviewer: .taskOrLeadDepartment, head: .taskOrLeadDepartment, supervisor: .region]
        case .register, .accept, .refuse, .recordVisit, .payAtWindow, .deliverPickup, .deliverPost:
            [clerk: .region]
        // A supervisor may add to a notice, with a recorded reason (R6.3).
        case .issueNotice:
            [clerk: .region, supervisor: .region]
        case .resubmit, .supply:
            [.applicant: .owner, clerk: .region]
        case .withdraw, .payOnline, .download:
            [.applicant: .owner]
        case .review, .inspect, .suspend, .resume:
            [reviewer: .taskDepartment, head: .taskDepartment]
        case .decide, .extend:
            [head: .leadDepartment]
        }
    }

    public static func roles(for operation: CaseOperation) -> Set<Role> { Set(rule(for: operation).keys) }

    /// Whether `actor` may do `operation` to the case `scope` describes; the state of the
    /// case is the state machine's question (`CaseMachine`), asked after this one.
    public static func check(_ operation: CaseOperation, by actor: CaseActor, on scope: CaseScope) throws(CaseAccessDenial) {
        guard let reach = rule(for: operation)[actor.role] else {
            // An applicant asking about someone else's case learns nothing about it.
            throw actor.role == .applicant ? .notOwner : .role
        }
        switch reach {
        case .owner:
            guard scope.applicantID == actor.accountID else { throw .notOwner }
        case .region:
            guard let own = actor.regionCode.flatMap(RegionCode.init), let place = RegionCode(scope.regionCode), own.contains(place) else {
                throw .otherRegion
            }
        case .taskDepartment:
            guard let mine = actor.departmentID, scope.taskDepartmentIDs.contains(mine) else { throw .otherDepartment }
        case .taskOrLeadDepartment:
            guard let mine = actor.departmentID, scope.taskDepartmentIDs.contains(mine) || scope.leadDepartmentID == mine else {
                throw .otherDepartment
            }
        case .leadDepartment:
            guard let mine = actor.departmentID, scope.leadDepartmentID == mine else { throw .notLeadDepartment }
        }
    }

    public static func allows(_ operation: CaseOperation, by actor: CaseActor, on scope: CaseScope) -> Bool {
        (try? check(operation, by: actor, on: scope)) != nil
    }
}
