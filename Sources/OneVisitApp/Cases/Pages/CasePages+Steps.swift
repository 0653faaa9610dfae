import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The steps of a case posted from its page, each on the route scoped to its operation's
/// roles: the applicant's (R7.3, R8.6), the window's (R8.2, R8.6, R8.7) and the departments' (R8.3–R8.5).
extension CasePages {
    static func addApplicantSteps(to router: Router<AppRequestContext>, app: AppServices) {
        router.group(context: RoleContext<CaseSteps.Withdraw>.self).post(step(.withdraw)) { try await withdraw(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Resubmit>.self).post(step(.resubmit)) { try await resubmit(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Supply>.self).post(step(.supply)) { try await supply(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.PayOnline>.self).post(step(.pay)) { try await pay(app, $0, $1) }
    }

    static func addWindowSteps(to router: Router<AppRequestContext>, app: AppServices) {
        let desk = router.group(context: RoleContext<Scopes.WindowDesk>.self)
        desk.get(SitePath.Cases.desk.route) { try await deskQueue(app, $0, $1) }
        desk.get(SitePath.Cases.deskNew.route) { try await windowForm(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Register>.self).post(SitePath.Cases.deskNew.route) { try await windowRegister(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Accept>.self).post(step(.accept)) { try await accept(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.IssueNotice>.self).post(step(.notice)) { try await notice(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Refuse>.self).post(step(.refuse)) { try await refuse(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.RecordVisit>.self).post(step(.visit)) { try await visit(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.PayAtWindow>.self).post(step(.payWindow)) { try await payWindow(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Deliver>.self).post(step(.deliver)) { try await deliver(app, $0, $1) }
    }

    static func addDepartmentSteps(to router: Router<AppRequestContext>, app: AppServices) {
        router.group(context: RoleContext<Scopes.DepartmentWork>.self).get(SitePath.Cases.work.route) { try await workQueue(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Review>.self).post(taskStep(.complete)) { try await completeTask(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Inspect>.self).post(taskStep(.inspection)) { try await inspection(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Suspend>.self).post(step(.suspend)) { try await suspend(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Resume>.self).post(step(.resume)) { try await resume(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Decide>.self).post(step(.decide)) { try await decide(app, $0, $1) }
        router.group(context: RoleContext<CaseSteps.Extend>.self).post(step(.extend)) { try await extend(app, $0, $1) }
    }

    // MARK: applicant

    static func withdraw(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Withdraw>) async throws -> Response {
        let form = try await WebForm.decode(ReasonForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.withdraw($0, reason: form.reason ?? "") }, version: form.version)
    }

    static func resubmit(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Resubmit>) async throws -> Response {
        let form = try await MultipartForm.read(request, context: context)
        return try await act(app, context, { _ = try await app.cases.resubmit($0, files: form.numberedFiles("material_")) }, version: form["version"])
    }

    static func supply(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Supply>) async throws -> Response {
        let form = try await MultipartForm.read(request, context: context)
        guard let materialID = UUID(uuidString: form["materialID"]) else { throw AppError.invalid("materialID", code: "case.material_unknown", "请选择要补交的材料") }
        return try await act(app, context, { _ = try await app.cases.supply($0, materialID: materialID, file: form.files["file"]) })
    }

    /// To the payment platform with the case's open order; without a gateway, to the window.
    static func pay(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.PayOnline>) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        let id = try caseID(context)
        _ = try await app.cases.visibleCase(id, to: context.principal, on: app.persistence.db)
        guard let order = try await openOrder(app, caseID: id) else {
            return try await casePage(app, context, id: id, error: "该办件没有待缴费用", status: .conflict)
        }
        guard app.config.demoMode else {
            return try await casePage(app, context, id: id, error: "网上支付暂未开通，请到政务服务大厅窗口缴费", status: .conflict)
        }
        return Response.redirect(to: SitePath.Cases.gateway(order))
    }

    // MARK: window

    struct AcceptForm: Decodable {
        var version: String?
        var tolerance: String?
        var toleranceDays: String?
    }

    static func accept(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Accept>) async throws -> Response {
        let form = try await WebForm.decode(AcceptForm.self, from: request, context: context)
        return try await act(app, context, {
            _ = try await app.cases.accept($0, tolerance: form.tolerance == "1", toleranceDays: form.toleranceDays.flatMap { Int($0) } ?? 5)
        }, version: form.version)
    }

    /// The one-time notice: one `notice_N` per material to correct, with its `instruction_N` (R6.3).
    static func notice(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.IssueNotice>) async throws -> Response {
        let form = try await WebForm.read(request, context: context)
        let items = form.fields.keys.filter { $0.hasPrefix("notice_") }.sorted().map { key in
            CaseService.NoticeItem(material: form[key], instruction: form["instruction_\(key.dropFirst("notice_".count))"])
        }
        let override = form["overrideReason"].isEmpty ? nil : form["overrideReason"]
        return try await act(app, context, { _ = try await app.cases.issueNotice($0, items: items, overrideReason: override) }, version: form["version"])
    }

    static func refuse(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Refuse>) async throws -> Response {
        let form = try await WebForm.decode(ReasonForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.refuse($0, reason: form.reason ?? "") }, version: form.version)
    }

    static func visit(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.RecordVisit>) async throws -> Response {
        let form = try await WebForm.decode(ReasonForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.recordVisit($0, reason: form.reason ?? "") })
    }

    static func payWindow(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.PayAtWindow>) async throws -> Response {
        let form = try await WebForm.decode(VersionedForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.payAtWindow($0) }, version: form.version)
    }

    struct DeliverForm: Decodable {
        var version: String?
        var mode: String?
        var collectorIDLast4: String?
        var carrier: String?
        var trackingNumber: String?
    }

    static func deliver(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Deliver>) async throws -> Response {
        let form = try await WebForm.decode(DeliverForm.self, from: request, context: context)
        return try await act(app, context, {
            let mode = try CaseService.deliveryMode(form.mode ?? "", fallback: .pickup)
            _ = try await app.cases.deliver($0, .init(mode: mode, collectorIDLast4: form.collectorIDLast4 ?? "", carrier: form.carrier ?? "", trackingNumber: form.trackingNumber ?? ""))
        }, version: form.version)
    }

    // MARK: departments

    struct TaskForm: Decodable {
        var opinion: String?
        var note: String?
    }

    static func taskID(_ context: some RequestContext) throws -> UUID {
        guard let id = context.parameters.get("task", as: UUID.self) else { throw AppError(.notFound, code: "task.not_found", title: "任务不存在") }
        return id
    }

    static func completeTask(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Review>) async throws -> Response {
        let form = try await WebForm.decode(TaskForm.self, from: request, context: context)
        let task = try taskID(context)
        return try await act(app, context, { _ = try await app.cases.completeTask($0, taskID: task, approve: form.opinion != "reject", note: form.note ?? "") })
    }

    struct InspectionForm: Decodable {
        var date: String?
        var departments: String?
        var note: String?
    }

    static func inspection(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Inspect>) async throws -> Response {
        let form = try await WebForm.decode(InspectionForm.self, from: request, context: context)
        let task = try taskID(context)
        return try await act(app, context, {
            guard let date = form.date.flatMap(CalendarDate.init(iso8601:)) else { throw AppError.invalid("date", code: "inspection.date", "请填写核查日期") }
            let others = (form.departments ?? "").split(whereSeparator: { "、, ，".contains($0) }).map(String.init)
            _ = try await app.cases.scheduleInspection($0, taskID: task, date: date, departments: others, note: form.note ?? "")
        })
    }

    static func suspend(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Suspend>) async throws -> Response {
        let form = try await WebForm.decode(ReasonForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.suspend($0, reason: form.reason ?? "") })
    }

    static func resume(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Resume>) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        return try await act(app, context, { _ = try await app.cases.resume($0) })
    }

    struct DecideForm: Decodable {
        var version: String?
        var decision: String?
        var reason: String?
    }

    static func decide(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Decide>) async throws -> Response {
        let form = try await WebForm.decode(DecideForm.self, from: request, context: context)
        return try await act(app, context, {
            guard let decision = form.decision.flatMap(CaseDecision.init(rawValue:)) else { throw AppError.invalid("decision", code: "decision.unknown", "请选择决定") }
            _ = try await app.cases.decide($0, decision: decision, reason: form.reason ?? "")
        }, version: form.version)
    }

    struct ExtendForm: Decodable {
        var version: String?
        var days: String?
        var reason: String?
    }

    static func extend(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Extend>) async throws -> Response {
        let form = try await WebForm.decode(ExtendForm.self, from: request, context: context)
        return try await act(app, context, { _ = try await app.cases.extend($0, days: form.days.flatMap { Int($0) } ?? 0, reason: form.reason ?? "") }, version: form.version)
    }
}
