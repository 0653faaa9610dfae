import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1/cases`: every step of the case for other systems and apps (R7.1.4). Routes come
/// from `SitePath.API.Cases`; bodies are the types generated from `openapi.json`. Reads take
/// any signed-in account (the service shows each only what `CasePolicy` lets it see), lists
/// the case-list roles, and each step the roles `CasePolicy` gives its operation
/// (`CaseRoutes+APISteps.swift`); the service asks the policy again with the case's region,
/// departments, state and facts.
extension CaseRoutes {
    typealias Path = SitePath.API.Cases

    /// Who has a case list: applicants their own cases, staff their queues.
    enum Lists: RoleScope {
        static var roles: Set<Role> { AccessPolicy.roles(for: .applicantCases).union(AccessPolicy.roles(for: .caseLists)) }
    }

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.group(context: RoleContext<Scopes.ApplicantCases>.self).post(Path.list.route) { try await submit($0, $1, app: app) }
        api.group(context: RoleContext<CaseSteps.Register>.self).post(Path.window.route) { try await registerAtWindow($0, $1, app: app) }
        api.group(context: RoleContext<Lists>.self).get(Path.list.route) { try await list($0, $1, app: app) }
        let signedIn = api.group(context: SignedInContext.self)
        signedIn.get(SitePath.route(Path.detail)) { try await detail($0, $1, app: app) }
        signedIn.get(stepRoute(.result)) { try await result($0, $1, app: app) }
        // 网上下载 (R8.7): the first download delivers the result; a GET serves it once delivered.
        api.group(context: RoleContext<CaseSteps.Download>.self).post(stepRoute(.result)) { try await download($0, $1, app: app) }
        api.post(Path.paymentCallback.route) { try await paymentCallback($0, $1, app: app) }
        api.post(Path.progress.route) { try await progress($0, $1, app: app) }
        addApplicantSteps(to: api, app: app)
        addWindowSteps(to: api, app: app)
        addDepartmentSteps(to: api, app: app)
    }

    /// The route of a step on one case: `/api/v1/cases/:id/<step>`.
    static func stepRoute(_ step: Path.Step) -> RouterPath { Path.step(.routePlaceholder, step).route }

    // MARK: intake

    static func submit(_ request: Request, _ context: RoleContext<Scopes.ApplicantCases>, app: AppServices) async throws -> EditedResponse<Components.Schemas.CaseDetail> {
        let body = try await JSONBody.decode(Components.Schemas.SubmitCaseRequest.self, from: request, context: context, limit: 20 * 1024 * 1024)
        let implementation = try implementationID(body.implementationID)
        let mode = try CaseService.deliveryMode(body.deliveryMode.rawValue)
        let c = try await app.cases.submitOnline(
            .init(implementationID: implementation, formData: body.formData?.additionalProperties ?? [:], files: try materialFiles(body.materials ?? []),
                  deliveryMode: mode, deliveryAddress: body.deliveryAddress ?? "",
                  fee: FeeRequest(condition: body.feeCondition, quantities: body.feeQuantities?.additionalProperties ?? [:])),
            applicant: context.principal, address: context.remoteAddress)
        return try await created(c, context, app: app)
    }

    static func registerAtWindow(_ request: Request, _ context: RoleContext<CaseSteps.Register>, app: AppServices) async throws -> EditedResponse<Components.Schemas.CaseDetail> {
        let body = try await JSONBody.decode(Components.Schemas.WindowCaseRequest.self, from: request, context: context)
        let c = try await app.cases.registerAtWindow(
            .init(implementationID: try implementationID(body.implementationID), channel: body.channel.rawValue, name: body.name, idNumber: body.idNumber ?? "",
                  phone: body.phone, provided: Set(body.providedMaterials),
                  deliveryMode: try CaseService.deliveryMode(body.deliveryMode, fallback: .pickup), deliveryAddress: body.deliveryAddress ?? "",
                  fee: FeeRequest(condition: body.feeCondition, quantities: body.feeQuantities?.additionalProperties ?? [:],
                                  reduction: body.feeReduction.map { FeeReduction(reason: $0.reason, legalBasis: $0.legalBasis, amountFen: $0.amountFen) }),
                  applicantType: body.applicantType?.rawValue ?? "person", creditCode: body.creditCode ?? "",
                  legalRepresentative: body.legalRepresentative ?? "", contactName: body.contactName ?? ""),
            clerk: context.principal, address: context.remoteAddress)
        return try await created(c, context, app: app)
    }

    /// The uploads of an online application, base64 in the body, by material position.
    static func materialFiles(_ materials: Components.Schemas.SubmitCaseRequest.materialsPayload) throws -> [Int: MultipartForm.File] {
        var files: [Int: MultipartForm.File] = [:]
        for material in materials {
            guard let data = Data(base64Encoded: material.contentBase64) else {
                throw AppError.invalid("materials", code: "file.base64", "材料 \(material.position) 的内容不是有效的 Base64")
            }
            files[material.position] = .init(fileName: material.fileName, data: data)
        }
        return files
    }

    /// The implementation a new case is for: the document says `format: uuid`, so anything
    /// else is a malformed body (as a field that does not decode).
    static func implementationID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw AppError(.badRequest, code: "request.malformed", title: "请求内容格式不正确", detail: "字段 implementationID 类型不正确")
        }
        return id
    }

    /// 201 with the new case and its address.
    static func created(_ c: CaseRow, _ context: some PrincipalContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.CaseDetail> {
        EditedResponse(status: .created, headers: [.location: Path.detail(c.id).link], response: try await caseDetail(c, for: context.principal, app: app))
    }

    // MARK: reading

    static func list(_ request: Request, _ context: RoleContext<Lists>, app: AppServices) async throws -> [Components.Schemas.CaseSummary] {
        let principal = context.principal
        let summaries: [CaseSummary]
        switch principal.role {
        case .applicant: summaries = try await app.cases.cases(of: principal)
        case .staff(.windowClerk): summaries = try await app.cases.queue(for: principal)
        case .staff(.departmentReviewer), .staff(.departmentHead): summaries = try await app.cases.tasks(for: principal).map(\.summary)
        default: throw AppError.forbidden
        }
        return try summaries.map(Components.Schemas.CaseSummary.init)
    }

    static func detail(_ request: Request, _ context: SignedInContext, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        let db = app.persistence.db
        let file = try await app.cases.visibleFile(try CasePages.caseID(context), to: context.principal, on: db)
        return try .init(app.cases.detail(file, for: context.principal, calendar: try await app.cases.calendar(on: db)))
    }

    static func result(_ request: Request, _ context: SignedInContext, app: AppServices) async throws -> Response {
        let c = try await app.cases.visibleCase(try CasePages.caseID(context), to: context.principal, on: app.persistence.db)
        return CasePages.resultFile(c, try app.cases.deliveredResult(c))
    }

    static func download(_ request: Request, _ context: RoleContext<CaseSteps.Download>, app: AppServices) async throws -> Response {
        let (c, data) = try await app.cases.downloadResult(try change(context, version: nil))
        return CasePages.resultFile(c, data)
    }

    /// The case as `principal` may see it, in the API's type.
    static func caseDetail(_ c: CaseRow, for principal: Principal, app: AppServices) async throws -> Components.Schemas.CaseDetail {
        try .init(try await app.cases.detail(c, for: principal, on: app.persistence.db))
    }

    // MARK: public

    static func paymentCallback(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> Components.Schemas.PaymentCallbackResult {
        let body = try await JSONBody.decode(Components.Schemas.PaymentCallback.self, from: request, context: context)
        let changed = try await app.cases.paymentCallback(orderNumber: body.orderNumber, amountFen: body.amountFen, transactionID: body.transactionID,
                                                          signature: body.signature, address: context.remoteAddress)
        return .init(accepted: true, duplicate: !changed)
    }

    /// A POST: every try is counted (R7.5, issue 10 item 6), and the digits stay out of URLs and logs.
    static func progress(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> Response {
        let body = try await JSONBody.decode(Components.Schemas.ProgressRequest.self, from: request, context: context)
        let number = body.number.trimmingCharacters(in: .whitespaces).uppercased()
        switch try await app.cases.progress(number: number, last4: body.last4, address: context.remoteAddress) {
        case .found(let progress):
            return try Components.Schemas.Progress(progress).response(from: request, context: context)
        case .notFound:
            throw AppError.progressNotFound
        case .throttled(let refusal):
            return try refusal.problemResponse(context: context)
        }
    }
}
