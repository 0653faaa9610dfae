import Foundation
import Hummingbird
import OneVisitDomain

/// The window's queue and registration form (R6.4, R8.2.5), the department workbench
/// (R8.3), the public progress query (R7.5) and the simulated payment gateway (demo only).
extension CasePages {
    /// Deemed acceptance is the jobs service's (`JobsService`): reading the queue changes nothing.
    static func deskQueue(_ app: AppServices, _ request: Request, _ context: RoleContext<Scopes.WindowDesk>) async throws -> Response {
        return try app.renderer.page("desk", ListPage(layout: context.layout("综合受理窗口"), cases: try await app.cases.queue(for: context.principal), title: "待办办件"))
    }

    static func windowForm(_ app: AppServices, _ request: Request, _ context: RoleContext<Scopes.WindowDesk>) async throws -> Response {
        let selected = request.uri.queryParameters.get("item").flatMap(UUID.init(uuidString:))
        return try await windowPage(app, context, selected: selected, error: nil)
    }

    /// A walk-in, letter, fax or e-mail application entered once by the clerk (R8.2.5);
    /// `provided_N` ticks the materials handed in.
    static func windowRegister(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Register>) async throws -> Response {
        let form = try await WebForm.read(request, context: context)
        guard let id = UUID(uuidString: form["implementationID"]) else { throw AppError.invalid("implementationID", code: "case.item_unknown", "请先选择事项") }
        let provided = Set(form.fields.keys.filter { $0.hasPrefix("provided_") }.compactMap { Int($0.dropFirst("provided_".count)) })
        do {
            let application = CaseService.WindowApplication(
                implementationID: id, channel: form["channel"], name: form["name"], idNumber: form["idNumber"], phone: form["phone"], provided: provided,
                deliveryMode: try CaseService.deliveryMode(form["deliveryMode"], fallback: .pickup), deliveryAddress: form["deliveryAddress"],
                fee: try FeeRequest.form(form.fields, clerk: true), applicantType: form["applicantType"], creditCode: form["creditCode"],
                legalRepresentative: form["legalRepresentative"], contactName: form["contactName"])
            let c = try await app.cases.registerAtWindow(application, clerk: context.principal, address: context.remoteAddress)
            return Response.redirect(to: SitePath.Cases.detail(c.id))
        } catch let error as AppError where error.status == .unprocessableContent {
            return try await windowPage(app, context, selected: id, error: error)
        }
    }

    static func windowPage(_ app: AppServices, _ context: some AppContext & PrincipalContext, selected: UUID?, error: AppError?) async throws -> Response {
        let guides = try await app.catalog.searchPublished(.init(region: context.principal.regionCode ?? ""))
        var page = WindowPage(layout: context.layout("窗口收件"), guides: guides, selected: nil, checklist: [], error: error?.title)
        if let selected {
            page.selected = try await app.catalog.guide(implementationID: selected)
            page.checklist = try await materialsFor(app, selected)
        }
        return try app.renderer.page("window", page, status: error?.status ?? .ok)
    }

    static func workQueue(_ app: AppServices, _ request: Request, _ context: RoleContext<Scopes.DepartmentWork>) async throws -> Response {
        let staff = context.principal
        let rows = try await app.cases.tasks(for: staff).map { item in
            let summary = item.summary
            return WorkPage.Row(link: SitePath.Cases.detail(summary.id).link, number: summary.number, itemName: summary.itemName, stepName: item.stepName,
                                isLead: item.isLead, stateName: summary.stateName, clock: summary.clock, assignedToMe: item.assigneeID == staff.accountID,
                                awaitingDecision: summary.state == CasePolicy.awaitingDecision.rawValue)
        }
        return try app.renderer.page("work", WorkPage(layout: context.layout("部门工作台"), rows: rows))
    }

    // MARK: public progress (R7.5)

    static func progressForm(_ app: AppServices, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        try app.renderer.page("progress", ProgressPage(layout: context.layout("办件查询"), number: "", result: nil, error: nil, errorCode: nil, invalid: false))
    }

    struct ProgressForm: Decodable {
        var number: String?
        var last4: String?
    }

    /// A POST, since every try is counted (and the digits stay out of URLs and logs).
    static func progressQuery(_ app: AppServices, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let form = try await WebForm.decode(ProgressForm.self, from: request, context: context)
        let number = (form.number ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        var page = ProgressPage(layout: context.layout("办件查询"), number: number, result: nil, error: nil, errorCode: nil, invalid: false)
        switch try await app.cases.progress(number: number, last4: form.last4 ?? "", address: context.remoteAddress) {
        case .found(let c):
            page.result = .init(itemName: c.itemName, number: c.number, stateName: c.state.chineseName,
                                applicant: Masking.name(c.applicantName), events: c.steps.map { .init(timeText: CaseService.dateText($0.at), title: $0.title, note: "") })
            return try app.renderer.page("progress", page)
        case .notFound:
            (page.error, page.errorCode, page.invalid) = (AppError.progressNotFound.title, AppError.progressNotFound.code, true)
            return try app.renderer.page("progress", page, status: .notFound)
        case .throttled(let refusal):
            (page.error, page.errorCode) = (refusal.message, refusal.code)
            var response = try app.renderer.page("progress", page, status: .tooManyRequests)
            response.headers[.retryAfter] = "\(refusal.retryAfter)"
            return response
        }
    }
}
