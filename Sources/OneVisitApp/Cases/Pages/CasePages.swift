import Foundation
import Hummingbird
import OneVisitDomain

/// The case pages (R7.3–R7.5, R8.2–R8.7). Routes come from `SitePath.Cases`; each step's
/// route is scoped to the roles `CasePolicy` gives its operation, and the service asks the
/// policy again with the case's region, departments, state and facts. One named handler per
/// route, in the files of this folder.
enum CasePages {
    static func addRoutes(to router: Router<AppRequestContext>, app: AppServices) {
        let applicant = router.group(context: RoleContext<Scopes.ApplicantCases>.self)
        applicant.get(SitePath.route(SitePath.Cases.apply)) { try await applyForm(app, $0, $1) }
        applicant.post(SitePath.route(SitePath.Cases.apply)) { try await applySubmit(app, $0, $1) }

        let signedIn = router.group(context: SignedInContext.self)
        signedIn.get(SitePath.Cases.list.route) { try await list(app, $0, $1) }
        signedIn.get(SitePath.route(SitePath.Cases.detail)) { try await detail(app, $0, $1) }
        signedIn.get(SitePath.route(SitePath.Cases.document)) { try await document(app, $0, $1) }
        signedIn.get(SitePath.route(SitePath.Cases.materialFile)) { try await materialFile(app, $0, $1) }
        signedIn.get(SitePath.route(SitePath.Cases.result)) { try await result(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Download>.self)
            .post(SitePath.route(SitePath.Cases.result)) { try await download(app, $0, $1) }

        addApplicantSteps(to: router, app: app)
        addWindowSteps(to: router, app: app)
        addDepartmentSteps(to: router, app: app)

        router.get(SitePath.Cases.progress.route) { try await progressForm(app, $0, $1) }
        router.post(SitePath.Cases.progress.route) { try await progressQuery(app, $0, $1) }
        if app.config.demoMode { addSimulatedGateway(to: router, app: app) }
    }

    /// The route of a step of the case, posted from its page.
    static func step(_ step: SitePath.Cases.Step) -> RouterPath { SitePath.Cases.step(.routePlaceholder, step).route }

    static func taskStep(_ step: SitePath.Cases.TaskStep) -> RouterPath { SitePath.Cases.taskStep(.routePlaceholder, .routePlaceholder, step).route }

    // MARK: shared by the handlers

    static func caseID(_ context: some RequestContext) throws -> UUID {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw CaseService.caseNotFound }
        return id
    }

    static func change(_ context: some AppContext & PrincipalContext, version: String?) throws -> CaseService.Change {
        CaseService.Change(caseID: try caseID(context), expectedVersion: version.flatMap { Int($0) }, actor: context.principal, address: context.remoteAddress)
    }

    /// Runs a step posted from the case page: back to the case page after it, or the case
    /// page with the reason when the step is refused (nothing changed).
    static func act(_ app: AppServices, _ context: some AppContext & PrincipalContext, _ body: (CaseService.Change) async throws -> Void, version: String? = nil) async throws -> Response {
        let change = try change(context, version: version)
        do {
            try await body(change)
            return Response.redirect(to: SitePath.Cases.detail(change.caseID))
        } catch let error as AppError where (400..<500).contains(Int(error.status.code)) && error.status != .unauthorized && error.code != "case.not_found" {
            return try await casePage(app, context, id: change.caseID, error: error.title, status: error.status)
        }
    }
}

/// A context that always has its principal (every `RoleContext`).
protocol PrincipalContext {
    var principal: Principal { get }
}

extension RoleContext: PrincipalContext {}

/// A step form that carries the version the page was rendered from (a stale one is a 409).
struct VersionedForm: Decodable {
    var version: String?
}

struct ReasonForm: Decodable {
    var version: String?
    var reason: String?
}
