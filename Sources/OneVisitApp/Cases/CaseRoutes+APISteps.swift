import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// The steps of a case through the API, each on the route scoped to its operation's roles
/// (as the case pages' steps): the applicant's (R7.3, R8.6), the window's (R8.2, R8.6, R8.7)
/// and the departments' (R8.3–R8.5). Each takes a `CaseStep` body (its `version` is the
/// optimistic lock: a stale one is a 409) and answers the case as it now is.
extension CaseRoutes {
    /// Delivery in any mode: at the window or by post by the clerk, by download by the
    /// applicant; the mode the applicant chose decides which (R8.7).
    enum DeliverAnyMode: RoleScope {
        static var roles: Set<Role> { CaseSteps.Deliver.roles.union(CaseSteps.Download.roles) }
    }

    static func addApplicantSteps(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.group(context: RoleContext<CaseSteps.Withdraw>.self).post(stepRoute(.withdraw)) { try await withdraw($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Resubmit>.self).post(stepRoute(.resubmit)) { try await resubmit($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Supply>.self).post(SitePath.route(Path.materialFile)) { try await supply($0, $1, app: app) }
    }

    static func addWindowSteps(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.group(context: RoleContext<CaseSteps.Accept>.self).post(stepRoute(.accept)) { try await accept($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.IssueNotice>.self).post(stepRoute(.notice)) { try await notice($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Refuse>.self).post(stepRoute(.refuse)) { try await refuse($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.RecordVisit>.self).post(stepRoute(.visits)) { try await recordVisit($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.PayAtWindow>.self).post(stepRoute(.payAtWindow)) { try await payAtWindow($0, $1, app: app) }
        api.group(context: RoleContext<DeliverAnyMode>.self).post(stepRoute(.deliver)) { try await deliver($0, $1, app: app) }
    }

    static func addDepartmentSteps(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.group(context: RoleContext<CaseSteps.Review>.self).post(SitePath.route(Path.completeTask)) { try await completeTask($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Suspend>.self).post(stepRoute(.suspend)) { try await suspend($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Resume>.self).post(stepRoute(.resume)) { try await resume($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Decide>.self).post(stepRoute(.decide)) { try await decide($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Extend>.self).post(stepRoute(.extend)) { try await extend($0, $1, app: app) }
    }

    // MARK: shared by the steps

    typealias CaseStepBody = Components.Schemas.CaseStep

    /// The step on the case of the route, by the context's principal.
    static func change(_ context: some AppContext & PrincipalContext, version: Int?) throws -> CaseService.Change {
        CaseService.Change(caseID: try CasePages.caseID(context), expectedVersion: version, actor: context.principal, address: context.remoteAddress)
    }

    /// Reads the step's body, runs the step and answers the case as it now is.
    static func runStep<Scope: RoleScope>(
        _ request: Request, _ context: RoleContext<Scope>, app: AppServices,
        _ run: (CaseService.Change, CaseStepBody) async throws -> CaseRow
    ) async throws -> Components.Schemas.CaseDetail {
        let id = try CasePages.caseID(context)
        let body = try await JSONBody.decode(CaseStepBody.self, from: request, context: context)
        let c = try await run(CaseService.Change(caseID: id, expectedVersion: body.version, actor: context.principal, address: context.remoteAddress), body)
        return try await caseDetail(c, for: context.principal, app: app)
    }

    // MARK: applicant

    static func withdraw(_ request: Request, _ context: RoleContext<CaseSteps.Withdraw>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.withdraw($0, reason: $1.reason ?? "") }
    }

    static func resubmit(_ request: Request, _ context: RoleContext<CaseSteps.Resubmit>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, _ in try await app.cases.resubmit(change, files: [:]) }
    }

    /// A missing material handed in later (容缺): the file is the body, its name the `name` query.
    static func supply(_ request: Request, _ context: RoleContext<CaseSteps.Supply>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        guard let material = context.parameters.get("material", as: UUID.self) else { throw AppError.notFound }
        let name = request.uri.queryParameters.get("name") ?? ""
        let buffer = try await request.body.collect(upTo: BlobStore.maxSize + 1)
        let c = try await app.cases.supply(try change(context, version: nil), materialID: material, file: .init(fileName: name, data: Data(buffer: buffer)))
        return try await caseDetail(c, for: context.principal, app: app)
    }

    // MARK: window

    static func accept(_ request: Request, _ context: RoleContext<CaseSteps.Accept>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.accept($0, tolerance: $1.tolerance ?? false, toleranceDays: $1.toleranceDays ?? 5) }
    }

    /// 一次性告知 (R6.3): every material to correct, each with how.
    static func notice(_ request: Request, _ context: RoleContext<CaseSteps.IssueNotice>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, body in
            try await app.cases.issueNotice(change, items: (body.items ?? []).map(CaseService.NoticeItem.init), overrideReason: body.overrideReason)
        }
    }

    static func refuse(_ request: Request, _ context: RoleContext<CaseSteps.Refuse>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.refuse($0, reason: $1.reason ?? "") }
    }

    static func recordVisit(_ request: Request, _ context: RoleContext<CaseSteps.RecordVisit>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.recordVisit($0, reason: $1.reason ?? "") }
    }

    static func payAtWindow(_ request: Request, _ context: RoleContext<CaseSteps.PayAtWindow>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, _ in try await app.cases.payAtWindow(change) }
    }

    static func deliver(_ request: Request, _ context: RoleContext<DeliverAnyMode>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, body in
            guard let mode = body.mode.flatMap({ ServiceTerms.Delivery(rawValue: $0.rawValue) }) else {
                throw AppError.invalid("mode", code: "delivery.mode", "送达方式应为 pickup、post 或 download")
            }
            return try await app.cases.deliver(change, .init(mode: mode, collectorIDLast4: body.collectorIDLast4 ?? "", carrier: body.carrier ?? "",
                                                             trackingNumber: body.trackingNumber ?? ""))
        }
    }

    // MARK: departments

    static func completeTask(_ request: Request, _ context: RoleContext<CaseSteps.Review>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        guard let task = context.parameters.get("task", as: UUID.self) else { throw AppError.notFound }
        return try await runStep(request, context, app: app) { change, body in
            try await app.cases.completeTask(change, taskID: task, approve: body.approve ?? true, note: body.note ?? "")
        }
    }

    static func suspend(_ request: Request, _ context: RoleContext<CaseSteps.Suspend>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.suspend($0, reason: $1.reason ?? "") }
    }

    static func resume(_ request: Request, _ context: RoleContext<CaseSteps.Resume>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, _ in try await app.cases.resume(change) }
    }

    static func decide(_ request: Request, _ context: RoleContext<CaseSteps.Decide>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { change, body in
            guard let decision = body.decision.flatMap({ CaseDecision(rawValue: $0.rawValue) }) else {
                throw AppError.invalid("decision", code: "decision.unknown", "决定应为 approve、reject 或 reportUp")
            }
            return try await app.cases.decide(change, decision: decision, reason: body.reason ?? "")
        }
    }

    static func extend(_ request: Request, _ context: RoleContext<CaseSteps.Extend>, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try await runStep(request, context, app: app) { try await app.cases.extend($0, days: $1.days ?? 0, reason: $1.reason ?? "") }
    }
}
