import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1/cases`: every step of the case for other systems and apps (R7.1.4).
extension CaseRoutes {
    struct SubmitRequest: Decodable {
        struct Material: Decodable {
            var position: Int
            var fileName: String
            var contentBase64: String
        }
        var implementationID: UUID
        var formData: [String: String]?
        var materials: [Material]?
        var deliveryMode: String
        var deliveryAddress: String?
    }

    struct WindowRequest: Decodable {
        var implementationID: UUID
        var channel: String
        var name: String
        var idNumber: String
        var phone: String
        var providedMaterials: [Int]
        var deliveryMode: String?
        var deliveryAddress: String?
    }

    struct StepRequest: Decodable {
        var version: Int?
        var tolerance: Bool?
        var toleranceDays: Int?
        var items: [CaseService.NoticeItem]?
        var overrideReason: String?
        var reason: String?
        var approve: Bool?
        var note: String?
        var decision: String?
        var days: Int?
        var mode: String?
        var collectorIDLast4: String?
        var carrier: String?
        var trackingNumber: String?
    }

    /// The public progress query's body (R7.5): in the body, so the digits stay out of URLs and logs.
    struct ProgressRequest: Decodable {
        var number: String
        var last4: String
    }

    struct CallbackRequest: Decodable {
        var orderNumber: String
        var amountFen: Int
        var transactionID: String
        var signature: String
    }

    struct CallbackResponse: ResponseEncodable {
        var accepted: Bool
        var duplicate: Bool
    }

    struct ProgressResponse: ResponseEncodable {
        var number: String
        var itemName: String
        var state: String
        var stateName: String
        var applicant: String
        var steps: [CaseDetail.Event]
    }

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        let cases = app.cases
        let db = app.persistence.db

        @Sendable func detail(_ c: CaseModel, _ context: AppRequestContext) async throws -> CaseDetail {
            try await cases.detail(c, for: try context.requirePrincipal(), on: db)
        }

        @Sendable func step(_ request: Request, _ context: AppRequestContext, _ run: @escaping @Sendable (CaseService.Change, StepRequest) async throws -> CaseModel) async throws -> CaseDetail {
            let id = try caseID(context)
            let body = try await JSONBody.decode(StepRequest.self, from: request, context: context)
            let c = try await run(CaseService.Change(caseID: id, expectedVersion: body.version, actor: try context.requirePrincipal(), address: context.remoteAddress), body)
            return try await detail(c, context)
        }

        api.post("/cases") { request, context -> EditedResponse<CaseDetail> in
            let principal = try context.require([.applicant])
            let body = try await JSONBody.decode(SubmitRequest.self, from: request, context: context, limit: 20 * 1024 * 1024)
            let mode = try CaseService.deliveryMode(body.deliveryMode)
            var files: [Int: MultipartForm.File] = [:]
            for material in body.materials ?? [] {
                guard let data = Data(base64Encoded: material.contentBase64) else {
                    throw AppError.invalid("materials", code: "file.base64", "材料 \(material.position) 的内容不是有效的 Base64")
                }
                files[material.position] = .init(fileName: material.fileName, data: data)
            }
            let c = try await cases.submitOnline(.init(implementationID: body.implementationID, formData: body.formData ?? [:], files: files, deliveryMode: mode, deliveryAddress: body.deliveryAddress ?? ""), applicant: principal, address: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/cases/\(c.id!)"], response: try await detail(c, context))
        }
        api.post("/cases/window") { request, context -> EditedResponse<CaseDetail> in
            let clerk = try context.require([.staff(.windowClerk)])
            let body = try await JSONBody.decode(WindowRequest.self, from: request, context: context)
            let c = try await cases.registerAtWindow(.init(implementationID: body.implementationID, channel: body.channel, name: body.name, idNumber: body.idNumber, phone: body.phone,
                                                           provided: Set(body.providedMaterials), deliveryMode: try CaseService.deliveryMode(body.deliveryMode, fallback: .pickup),
                                                           deliveryAddress: body.deliveryAddress ?? ""), clerk: clerk, address: context.remoteAddress)
            return EditedResponse(status: .created, headers: [.location: "/api/v1/cases/\(c.id!)"], response: try await detail(c, context))
        }
        api.get("/cases") { _, context -> [CaseSummary] in
            let principal = try context.requirePrincipal()
            switch principal.role {
            case .applicant: return try await cases.cases(of: principal)
            case .staff(.windowClerk): return try await cases.queue(for: principal)
            case .staff(.departmentReviewer), .staff(.departmentHead): return try await cases.tasks(for: principal).map(\.summary)
            default: throw AppError.forbidden
            }
        }
        api.get("/cases/:id") { _, context -> CaseDetail in
            let principal = try context.requirePrincipal()
            return try await detail(try await cases.visibleCase(try caseID(context), to: principal, on: db), context)
        }
        api.post("/cases/:id/accept") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.accept(change, tolerance: body.tolerance ?? false, toleranceDays: body.toleranceDays ?? 5) }
        }
        api.post("/cases/:id/notice") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.issueNotice(change, items: body.items ?? [], overrideReason: body.overrideReason) }
        }
        api.post("/cases/:id/refuse") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.refuse(change, reason: body.reason ?? "") }
        }
        api.post("/cases/:id/resubmit") { request, context -> CaseDetail in
            try await step(request, context) { change, _ in try await cases.resubmit(change, files: [:]) }
        }
        api.post("/cases/:id/withdraw") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.withdraw(change, reason: body.reason ?? "") }
        }
        api.post("/cases/:id/tasks/:task/complete") { request, context -> CaseDetail in
            guard let task = context.parameters.get("task", as: UUID.self) else { throw AppError.notFound }
            return try await step(request, context) { change, body in try await cases.completeTask(change, taskID: task, approve: body.approve ?? true, note: body.note ?? "") }
        }
        api.post("/cases/:id/suspend") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.suspend(change, reason: body.reason ?? "") }
        }
        api.post("/cases/:id/resume") { request, context -> CaseDetail in
            try await step(request, context) { change, _ in try await cases.resume(change) }
        }
        api.post("/cases/:id/decide") { request, context -> CaseDetail in
            try await step(request, context) { change, body in
                guard let decision = CaseDecision(rawValue: body.decision ?? "") else {
                    throw AppError.invalid("decision", code: "decision.unknown", "决定应为 approve、reject 或 reportUp")
                }
                return try await cases.decide(change, decision: decision, reason: body.reason ?? "")
            }
        }
        api.post("/cases/:id/extend") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.extend(change, days: body.days ?? 0, reason: body.reason ?? "") }
        }
        api.post("/cases/:id/visits") { request, context -> CaseDetail in
            try await step(request, context) { change, body in try await cases.recordVisit(change, reason: body.reason ?? "") }
        }
        api.post("/cases/:id/deliver") { request, context -> CaseDetail in
            try await step(request, context) { change, body in
                guard let mode = ServiceTerms.Delivery(rawValue: body.mode ?? "") else { throw AppError.invalid("mode", code: "delivery.mode", "送达方式应为 pickup、post 或 download") }
                return try await cases.deliver(change, .init(mode: mode, collectorIDLast4: body.collectorIDLast4 ?? "", carrier: body.carrier ?? "", trackingNumber: body.trackingNumber ?? ""))
            }
        }
        api.post("/cases/:id/materials/:material/file") { request, context -> CaseDetail in
            guard let material = context.parameters.get("material", as: UUID.self) else { throw AppError.notFound }
            let name = request.uri.queryParameters.get("name") ?? ""
            let buffer = try await request.body.collect(upTo: BlobStore.maxSize + 1)
            let c = try await cases.supply(CaseService.Change(caseID: try caseID(context), expectedVersion: nil, actor: try context.requirePrincipal(), address: context.remoteAddress),
                                           materialID: material, file: .init(fileName: name, data: Data(buffer: buffer)))
            return try await detail(c, context)
        }
        // 网上下载 (R8.7): the first download delivers the result; a GET serves it once delivered.
        api.post("/cases/:id/result") { request, context -> Response in
            let (c, data) = try await cases.downloadResult(CaseService.Change(caseID: try caseID(context), expectedVersion: nil, actor: try context.requirePrincipal(), address: context.remoteAddress))
            return resultFile(c, data)
        }
        api.get("/cases/:id/result") { _, context -> Response in
            let c = try await cases.visibleCase(try caseID(context), to: try context.requirePrincipal(), on: db)
            return resultFile(c, try cases.deliveredResult(c))
        }
        api.post("/cases/:id/pay-window") { request, context -> CaseDetail in
            try await step(request, context) { change, _ in try await cases.payAtWindow(change) }
        }
        api.post("/payments/callback") { request, context -> CallbackResponse in
            let body = try await JSONBody.decode(CallbackRequest.self, from: request, context: context)
            let changed = try await cases.paymentCallback(orderNumber: body.orderNumber, amountFen: body.amountFen, transactionID: body.transactionID, signature: body.signature, address: context.remoteAddress)
            return CallbackResponse(accepted: true, duplicate: !changed)
        }
        // A POST: every try is counted (R7.5, issue 10 item 6), and the digits stay out of URLs and logs.
        api.post("/progress") { request, context -> Response in
            let body = try await JSONBody.decode(ProgressRequest.self, from: request, context: context)
            let number = body.number.trimmingCharacters(in: .whitespaces).uppercased()
            switch try await cases.progress(number: number, last4: body.last4, address: context.remoteAddress) {
            case .found(let c):
                return try ProgressResponse(number: c.number, itemName: c.itemName, state: c.state.rawValue, stateName: c.state.chineseName,
                                            applicant: Masking.name(c.applicantName), steps: c.steps.map { .init(timeText: CaseService.dateText($0.at), title: $0.title, note: "") })
                    .response(from: request, context: context)
            case .notFound:
                throw AppError.progressNotFound
            case .throttled(let refusal):
                return try refusal.problemResponse(context: context)
            }
        }
    }
}
