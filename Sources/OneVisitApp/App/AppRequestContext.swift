import Foundation
import Hummingbird
import NIOCore
import OneVisitDomain

/// The signed-in account behind a request.
public struct Principal: Sendable, Equatable {
    public var accountID: UUID
    public var sessionID: UUID
    public var role: Role
    public var displayName: String
    public var loginName: String
    public var departmentID: UUID?
    public var regionCode: String?

    /// `role:loginName`, as the audit log names an actor.
    public var auditName: String { "\(role.code):\(loginName)" }

    /// The actor as `CasePolicy` sees it.
    public var caseActor: CaseActor { CaseActor(role: role, accountID: accountID, regionCode: regionCode, departmentID: departmentID) }
}

public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The double-submit CSRF token of this browser (cookie `ov_csrf`), put into every form.
    public var csrfToken: String = ""
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }

    /// The signed-in account, or 401.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw AppError.unauthenticated }
        return principal
    }

    /// The signed-in account if its role is one of `roles`, else 401/403.
    public func require(_ roles: Set<Role>) throws -> Principal {
        let principal = try requirePrincipal()
        guard roles.contains(principal.role) else { throw AppError.forbidden }
        return principal
    }

    public func requireStaff() throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.role.isStaff else { throw AppError.forbidden }
        return principal
    }
}
