import Foundation
import Hummingbird
import OneVisitDomain

/// What every request context of the app carries, whoever asks.
protocol AppContext: RequestContext {
    var signedIn: Principal? { get }
    var csrfToken: String { get }
    var remoteAddress: String { get }
}

extension AppRequestContext: AppContext {
    var signedIn: Principal? { principal }
}

/// The roles a route group admits, as a type, so the group can be scoped to it.
protocol RoleScope: Sendable {
    static var roles: Set<Role> { get }
}

/// A permission of `AccessPolicy` as a scope.
protocol PermissionScope: RoleScope {
    static var permission: Permission { get }
}

extension PermissionScope {
    static var roles: Set<Role> { AccessPolicy.roles(for: permission) }
}

/// A case step as a scope: the roles `CasePolicy` gives the operation. The step asks the
/// policy again, with the case's region, departments, state and facts, in its transaction.
protocol CaseOperationScope: RoleScope {
    static var operation: CaseOperation { get }
}

extension CaseOperationScope {
    static var roles: Set<Role> { CasePolicy.roles(for: operation) }
}

/// The context of a request whose account holds a role `Scope` admits: it
/// cannot be made otherwise (401 without a sign-in, 403 with another role), so a handler
/// taking it cannot run without its role. Route groups get it with
/// `router.group(context: RoleContext<Scope>.self)`.
struct RoleContext<Scope: RoleScope>: ChildRequestContext, AppContext {
    typealias ParentContext = AppRequestContext
    var coreContext: CoreRequestContextStorage
    let principal: Principal
    let csrfToken: String
    let remoteAddress: String

    var signedIn: Principal? { principal }

    init(context: AppRequestContext) throws {
        guard let principal = context.principal else { throw AppError.unauthenticated }
        guard Scope.roles.contains(principal.role) else { throw AppError.forbidden }
        // Copied, not made anew from the parent: a new storage has no route parameters.
        coreContext = context.coreContext
        self.principal = principal
        csrfToken = context.csrfToken
        remoteAddress = context.remoteAddress
    }
}

/// The permission scopes of `AccessPolicy`, one type each.
enum Scopes {
    enum SignedIn: PermissionScope { static var permission: Permission { .signedIn } }
    enum ApplicantCases: PermissionScope { static var permission: Permission { .applicantCases } }
    enum WindowDesk: PermissionScope { static var permission: Permission { .windowDesk } }
    enum DepartmentWork: PermissionScope { static var permission: Permission { .departmentWork } }
    enum CaseLists: PermissionScope { static var permission: Permission { .caseLists } }
    enum CatalogRead: PermissionScope { static var permission: Permission { .catalogRead } }
    enum CatalogEdit: PermissionScope { static var permission: Permission { .catalogEdit } }
    enum CatalogDrift: PermissionScope { static var permission: Permission { .catalogDrift } }
    enum OrganisationRead: PermissionScope { static var permission: Permission { .organisationRead } }
    enum AuditRead: PermissionScope { static var permission: Permission { .auditRead } }
    enum SupervisionRead: PermissionScope { static var permission: Permission { .supervisionRead } }
}

typealias SignedInContext = RoleContext<Scopes.SignedIn>

extension AppContext {
    /// What every page's layout needs.
    func layout(_ title: String) -> LayoutView {
        LayoutView(
            title: title, csrf: csrfToken,
            user: signedIn.map { UserView(name: $0.displayName, roleName: $0.role.chineseName, roleCode: $0.role.code) })
    }
}
