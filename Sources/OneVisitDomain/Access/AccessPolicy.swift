/// What a signed-in person may use that is not a step of one case (those are
/// `CaseOperation`s, answered by `CasePolicy` with the case's region and departments).
public enum Permission: String, Sendable, CaseIterable {
    /// Any signed-in account: own home page, own account, sign out.
    case signedIn
    /// The applicant's own cases: apply, list, pay online.
    case applicantCases
    /// The comprehensive window: register walk-ins, claim codes, the desk (R8.2).
    case windowDesk
    /// The department workbench: tasks of the own department (R8.3).
    case departmentWork
    /// The case list of the own window or department, for the staff who handle cases (supervisors
    /// drill down from their indicators instead, R11.3.4).
    case caseLists
    /// Read the catalog's entries and guide versions including drafts (R5).
    case catalogRead
    /// Create and change catalog items, versions and implementations (R5).
    case catalogEdit
    /// Compare local guides with the provincial definition (R5.3).
    case catalogDrift
    /// The organisation: regions, departments, centres, posts (R4).
    case organisationRead
    /// Read and verify the audit trail (R10).
    case auditRead
    /// KPIs and drill-down of the own region (R11).
    case supervisionRead
}

/// The one table of who may use a permission; `CasePolicy` is its counterpart for case
/// steps. Route groups get their role-scoped request context from here, and the
/// access-matrix test reads it.
public enum AccessPolicy {
    static let clerk = Role.staff(.windowClerk)
    static let reviewer = Role.staff(.departmentReviewer)
    static let head = Role.staff(.departmentHead)
    static let catalogAdmin = Role.staff(.catalogAdmin)
    static let supervisor = Role.staff(.supervisor)
    static let systemAdmin = Role.staff(.systemAdmin)
    static let auditor = Role.staff(.auditor)

    public static func roles(for permission: Permission) -> Set<Role> {
        switch permission {
        case .signedIn: Set(Role.all)
        case .applicantCases: [.applicant]
        case .windowDesk: [clerk]
        case .departmentWork: [reviewer, head]
        case .caseLists: [clerk, reviewer, head]
        case .catalogRead: [catalogAdmin, supervisor, head]
        case .catalogEdit: [catalogAdmin]
        case .catalogDrift: [catalogAdmin, supervisor]
        case .organisationRead: Set(StaffRole.allCases.map(Role.staff))
        case .auditRead: [auditor, systemAdmin]
        case .supervisionRead: [supervisor]
        }
    }

    public static func allows(_ role: Role, _ permission: Permission) -> Bool { roles(for: permission).contains(role) }
}
