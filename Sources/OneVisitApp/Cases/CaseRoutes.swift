import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// Pages and API of the case: apply, my cases, the clerk's desk, the department
/// workbench, documents, payment, progress. Handlers parse, call `CaseService`, render.
enum CaseRoutes {
    struct ApplyPage {
        struct Field { var name: String; var value: String; var prefilled: Bool; var index: Int }
        struct Material { var position: Int; var name: String; var importanceName: String; var upload: Bool; var source: String; var primary: Bool }
        struct Option { var value: String; var label: String; var selected: Bool }
        var layout: LayoutView
        var implementationID: UUID
        var itemName: String
        var regionName: String
        var department: String
        var fields: [Field]
        var materials: [Material]
        var deliveries: [Option]
        var applicantName: String
        var applicantIDMasked: String
        var submissionKey: String
        var error: String?
    }

    struct CasePage {
        var layout: LayoutView
        var detail: CaseDetail
        var isNew: Bool
        var error: String?
        var isApplicant: Bool
        var canWithdraw: Bool
        var canPay: Bool
        var canResubmit: Bool
        var canSupply: Bool
        var clerkActions: Bool
        var canAccept: Bool
        var canNotice: Bool
        var canClerkResubmit: Bool
        var canDeliver: Bool
        /// The chosen mode's form only: a result is delivered the way the applicant chose (R8.7).
        var deliverByPost: Bool
        var canPayWindow: Bool
        var reviewerActions: Bool
        var canDecide: Bool
        var canExtend: Bool
        /// The applicant's "下载结果": delivers a result chosen for download (POST).
        var canDownload: Bool
        var today: String
        /// A walk-in's account not yet claimed online: the clerk prints a claim code for it.
        var claimCodeApplicantID: String?
    }

    struct ListPage {
        var layout: LayoutView
        var cases: [CaseSummary]
        var title: String
        var deemed: Int
    }

    struct WorkPage {
        struct Row { var caseID: UUID; var number: String; var itemName: String; var stepName: String; var isLead: Bool; var stateName: String; var clock: ClockView; var assignedToMe: Bool; var awaitingDecision: Bool }
        var layout: LayoutView
        var rows: [Row]
    }

    struct DocumentPage {
        var layout: LayoutView
        var document: CaseDocumentContent
        var caseID: UUID
    }

    struct ProgressPage {
        struct Result { var itemName: String; var number: String; var stateName: String; var applicant: String; var events: [CaseDetail.Event] }
        var layout: LayoutView
        var number: String
        var result: Result?
        /// Not found or throttled, with its stable code; tied to both fields.
        var error: String?
        var errorCode: String?
        /// The fields are wrong (not found), not merely refused for now (throttled).
        var invalid: Bool
    }

    struct GatewayPage {
        var layout: LayoutView
        var orderNumber: String
        var amountText: String
        var itemName: String
        var caseID: UUID
    }

    struct WindowPage {
        var layout: LayoutView
        var guides: [GuideSummary]
        var selected: GuideView?
        var checklist: [ApplyPage.Material]
        var error: String?
    }

    static func change(_ request: Request, _ context: AppRequestContext, id: UUID, version: String?) throws -> CaseService.Change {
        CaseService.Change(caseID: id, expectedVersion: version.flatMap { Int($0) }, actor: try context.requirePrincipal(), address: context.remoteAddress)
    }

    static func caseID(_ context: AppRequestContext) throws -> UUID {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError(.notFound, code: "case.not_found", title: "办件不存在") }
        return id
    }

    /// The case page for whoever asks, with the actions their role may take now.
    static func casePage(_ app: AppServices, _ context: AppRequestContext, id: UUID, isNew: Bool = false, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = try context.requirePrincipal()
        let db = app.persistence.db
        let c = try await app.cases.visibleCase(id, to: principal, on: db)
        let detail = try await app.cases.detail(c, for: principal, on: db)
        let isApplicant = principal.role == .applicant
        // Every button is the policy's answer for this person on this case now (the step asks again).
        let may = try await app.cases.available(c, to: principal, on: db)
        let isClerk = CasePolicy.allows(.accept, by: principal.caseActor, on: try await CaseService.scope(of: c, for: principal, on: db))
        let chosen = c.deliveryMode
        let page = CasePage(
            layout: context.layout("办件 \(c.number)"), detail: detail, isNew: isNew, error: error, isApplicant: isApplicant,
            canWithdraw: may.contains(.withdraw),
            canPay: may.contains(.payOnline),
            canResubmit: isApplicant && may.contains(.resubmit),
            canSupply: isApplicant && may.contains(.supply),
            clerkActions: isClerk, canAccept: may.contains(.accept), canNotice: may.contains(.issueNotice),
            canClerkResubmit: isClerk && may.contains(.resubmit),
            canDeliver: chosen != .download && may.contains(.deliver(chosen)), deliverByPost: chosen == .post, canPayWindow: may.contains(.payAtWindow),
            reviewerActions: may.contains(.review),
            canDecide: may.contains(.decide), canExtend: may.contains(.extend),
            canDownload: may.contains(.download) && c.resultSHA != nil,
            today: app.cases.today.description,
            claimCodeApplicantID: isClerk ? try await AccountModel.find(c.applicantID, on: db).flatMap { AccountService.isClaimed($0) ? nil : $0.id?.uuidString } : nil)
        return try app.renderer.page("case", page, status: status)
    }

    /// Runs a form action on a case; a refused action shows the case page with the reason.
    static func act(_ app: AppServices, _ context: AppRequestContext, id: UUID, _ body: () async throws -> Void) async throws -> Response {
        do {
            try await body()
            return Response.redirect(to: "/cases/\(id)")
        } catch let error as AppError where (400..<500).contains(Int(error.status.code)) && error.status != .unauthorized && error.code != "case.not_found" {
            return try await casePage(app, context, id: id, error: error.title, status: error.status)
        }
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let cases = app.cases
        let db = app.persistence.db

        // MARK: applicant

        router.get("/apply/:id") { _, context in
            let principal = try context.require([.applicant])
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            let guide = try await app.catalog.guide(implementationID: id)
            guard let account = try await AccountModel.find(principal.accountID, on: db) else { throw AppError.unauthenticated }
            return try app.renderer.page("apply", try await applyPage(app, context, guide: guide, account: account, error: nil))
        }
        router.post("/apply/:id") { request, context in
            let principal = try context.require([.applicant])
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            let form = try await MultipartForm.read(request, context: context)
            var files: [Int: MultipartForm.File] = [:]
            for (name, file) in form.files where name.hasPrefix("material_") {
                if let position = Int(name.dropFirst("material_".count)) { files[position] = file }
            }
            var fields: [String: String] = [:]
            for (name, value) in form.fields where name.hasPrefix("field_") { fields[String(name.dropFirst("field_".count))] = value }
            let guardian = SubmissionGuard(persistence: app.persistence, clock: app.clock)
            var claimed: IdempotencyRecordModel?
            switch try await guardian.claim(key: form["submissionKey"], owner: principal.accountID, form: "/apply/\(id)") {
            case .done(let location): return Response.redirect(to: location)
            case .inProgress: return Response.redirect(to: "/cases")
            case .fresh(let record): claimed = record
            case nil: break
            }
            do {
                let delivery = try CaseService.deliveryMode(form["deliveryMode"])
                let c = try await cases.submitOnline(.init(implementationID: id, formData: fields, files: files, deliveryMode: delivery, deliveryAddress: form["deliveryAddress"]), applicant: principal, address: context.remoteAddress)
                let location = "/cases/\(c.id!)?submitted=1"
                if let claimed { try await guardian.complete(claimed, location: location) }
                return Response.redirect(to: location)
            } catch let error as AppError where error.status == .unprocessableContent || error.status == .contentTooLarge {
                if let claimed { await guardian.release(claimed) }
                let guide = try await app.catalog.guide(implementationID: id)
                guard let account = try await AccountModel.find(principal.accountID, on: db) else { throw AppError.unauthenticated }
                return try app.renderer.page("apply", try await applyPage(app, context, guide: guide, account: account, error: error.title), status: error.status)
            }
        }
        router.get("/cases") { _, context in
            let principal = try context.requirePrincipal()
            guard principal.role == .applicant else { return Response.redirect(to: principal.role == .staff(.windowClerk) ? "/desk" : "/work") }
            return try app.renderer.page("cases", ListPage(layout: context.layout("我的办件"), cases: try await cases.cases(of: principal), title: "我的办件", deemed: 0))
        }
        router.get("/cases/:id") { request, context in
            try await casePage(app, context, id: try caseID(context), isNew: request.uri.queryParameters.get("submitted") != nil)
        }
        router.get("/cases/:id/documents/:doc") { _, context in
            let principal = try context.requirePrincipal()
            let id = try caseID(context)
            _ = try await cases.visibleCase(id, to: principal, on: db)
            guard let docID = context.parameters.get("doc", as: UUID.self), let doc = try await CaseDocumentModel.find(docID, on: db), doc.caseID == id,
                  let content = CaseDocumentContent.decode(doc.content)
            else { throw AppError(.notFound, code: "document.not_found", title: "文书不存在") }
            return try app.renderer.page("document", DocumentPage(layout: context.layout(content.title), document: content, caseID: id))
        }
        router.get("/cases/:id/materials/:material/file") { _, context in
            let principal = try context.requirePrincipal()
            let id = try caseID(context)
            _ = try await cases.visibleCase(id, to: principal, on: db)
            guard let materialID = context.parameters.get("material", as: UUID.self), let m = try await CaseMaterialModel.find(materialID, on: db), m.caseID == id,
                  let sha = m.fileSHA, let data = try app.blobs.read(sha)
            else { throw AppError(.notFound, code: "file.not_found", title: "文件不存在或已被删除") }
            let mediaType = m.mediaType ?? BlobStore.Kind.sniff(data)?.mediaType ?? "application/octet-stream"
            return Response(status: .ok, headers: [.contentType: mediaType, .contentDisposition: "attachment; filename*=UTF-8''\((m.fileName ?? "material").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "material")", .cacheControl: "private, no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        // The result: a GET serves it once delivered; the applicant's POST delivers it (R8.7).
        router.get("/cases/:id/result") { _, context in
            let c = try await cases.visibleCase(try caseID(context), to: try context.requirePrincipal(), on: db)
            return resultFile(c, try cases.deliveredResult(c))
        }
        router.post("/cases/:id/result") { request, context in
            let id = try caseID(context)
            _ = try await WebForm.read(request, context: context)
            do {
                let (c, data) = try await cases.downloadResult(try change(request, context, id: id, version: nil))
                return resultFile(c, data)
            } catch let error as AppError where error.status == .conflict || error.status == .forbidden {
                return try await casePage(app, context, id: id, error: error.title, status: error.status)
            }
        }
        router.post("/cases/:id/withdraw") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.withdraw(try change(request, context, id: id, version: form["version"]), reason: form["reason"]) }
        }
        router.post("/cases/:id/resubmit") { request, context in
            let id = try caseID(context)
            let form = try await MultipartForm.read(request, context: context)
            var files: [Int: MultipartForm.File] = [:]
            for (name, file) in form.files where name.hasPrefix("material_") { if let p = Int(name.dropFirst("material_".count)) { files[p] = file } }
            return try await act(app, context, id: id) { _ = try await cases.resubmit(try change(request, context, id: id, version: form["version"]), files: files) }
        }
        router.post("/cases/:id/supply") { request, context in
            let id = try caseID(context)
            let form = try await MultipartForm.read(request, context: context)
            guard let materialID = UUID(uuidString: form["materialID"]) else { throw AppError.malformedBody }
            return try await act(app, context, id: id) { _ = try await cases.supply(try change(request, context, id: id, version: nil), materialID: materialID, file: form.files["file"]) }
        }
        router.post("/cases/:id/pay") { request, context in
            let id = try caseID(context)
            _ = try await WebForm.read(request, context: context)
            let principal = try context.require([.applicant])
            _ = try await cases.visibleCase(id, to: principal, on: db)
            guard let payment = try await PaymentModel.query(on: db).filter(\.$caseID == id).filter(\.$state == .pending).first() else {
                return try await casePage(app, context, id: id, error: "该办件没有待缴费用", status: .conflict)
            }
            guard app.config.demoMode else {
                return try await casePage(app, context, id: id, error: "网上支付暂未开通，请到政务服务大厅窗口缴费", status: .conflict)
            }
            return Response.redirect(to: "/pay/\(payment.orderNumber)")
        }

        if app.config.demoMode { addSimulatedGateway(to: router, app: app) }

        // MARK: public progress (R7.5)

        // The form is a GET; the answer a POST, since every try is counted (and the digits stay out of URLs and logs).
        router.get("/progress") { _, context in
            try app.renderer.page("progress", ProgressPage(layout: context.layout("办件查询"), number: "", result: nil, error: nil, errorCode: nil, invalid: false))
        }
        router.post("/progress") { request, context in
            let form = try await WebForm.read(request, context: context)
            let number = form["number"].trimmingCharacters(in: .whitespaces).uppercased()
            var page = ProgressPage(layout: context.layout("办件查询"), number: number, result: nil, error: nil, errorCode: nil, invalid: false)
            switch try await cases.progress(number: number, last4: form["last4"], address: context.remoteAddress) {
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

        // MARK: window clerk (R6.4, R8.2)

        router.get("/desk") { _, context in
            let clerk = try context.require([.staff(.windowClerk)])
            // Deemed acceptance is the jobs service's (`JobsService`): a GET changes nothing.
            return try app.renderer.page("desk", ListPage(layout: context.layout("综合受理窗口"), cases: try await cases.queue(for: clerk), title: "待办办件", deemed: 0))
        }
        router.get("/desk/new") { request, context in
            let clerk = try context.require([.staff(.windowClerk)])
            let guides = try await app.catalog.searchPublished(.init(region: clerk.regionCode ?? ""))
            var page = WindowPage(layout: context.layout("窗口收件"), guides: guides, selected: nil, checklist: [], error: nil)
            if let id = request.uri.queryParameters.get("item").flatMap(UUID.init(uuidString:)) {
                let guide = try await app.catalog.guide(implementationID: id)
                page.selected = guide
                page.checklist = try await materialsFor(app, id)
            }
            return try app.renderer.page("window", page)
        }
        router.post("/desk/new") { request, context in
            let clerk = try context.require([.staff(.windowClerk)])
            let form = try await WebForm.read(request, context: context)
            guard let id = UUID(uuidString: form["implementationID"]) else { throw AppError.malformedBody }
            let provided = Set(form.fields.keys.filter { $0.hasPrefix("provided_") }.compactMap { Int($0.dropFirst("provided_".count)) })
            do {
                let c = try await cases.registerAtWindow(.init(implementationID: id, channel: form["channel"], name: form["name"], idNumber: form["idNumber"], phone: form["phone"], provided: provided,
                                                               deliveryMode: try CaseService.deliveryMode(form["deliveryMode"], fallback: .pickup), deliveryAddress: form["deliveryAddress"]),
                                                         clerk: clerk, address: context.remoteAddress)
                return Response.redirect(to: "/cases/\(c.id!)")
            } catch let error as AppError where error.status == .unprocessableContent {
                let guides = try await app.catalog.searchPublished(.init(region: clerk.regionCode ?? ""))
                let page = WindowPage(layout: context.layout("窗口收件"), guides: guides, selected: try await app.catalog.guide(implementationID: id),
                                      checklist: try await materialsFor(app, id), error: error.title)
                return try app.renderer.page("window", page, status: .unprocessableContent)
            }
        }
        router.post("/cases/:id/accept") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) {
                _ = try await cases.accept(try change(request, context, id: id, version: form["version"]), tolerance: form["tolerance"] == "1", toleranceDays: Int(form["toleranceDays"]) ?? 5)
            }
        }
        router.post("/cases/:id/notice") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            let items = form.fields.keys.filter { $0.hasPrefix("notice_") }.sorted().compactMap { key -> CaseService.NoticeItem? in
                let position = String(key.dropFirst("notice_".count))
                return .init(material: form[key], instruction: form["instruction_\(position)"])
            }
            return try await act(app, context, id: id) {
                _ = try await cases.issueNotice(try change(request, context, id: id, version: form["version"]), items: items, overrideReason: form["overrideReason"].isEmpty ? nil : form["overrideReason"])
            }
        }
        router.post("/cases/:id/refuse") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.refuse(try change(request, context, id: id, version: form["version"]), reason: form["reason"]) }
        }
        router.post("/cases/:id/visit") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.recordVisit(try change(request, context, id: id, version: nil), reason: form["reason"]) }
        }
        router.post("/cases/:id/pay-window") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.payAtWindow(try change(request, context, id: id, version: form["version"])) }
        }
        router.post("/cases/:id/deliver") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) {
                _ = try await cases.deliver(try change(request, context, id: id, version: form["version"]),
                                            .init(mode: ServiceTerms.Delivery(rawValue: form["mode"]) ?? .pickup, collectorIDLast4: form["collectorIDLast4"], carrier: form["carrier"], trackingNumber: form["trackingNumber"]))
            }
        }

        // MARK: departments (R8.3–R8.5)

        router.get("/work") { _, context in
            let staff = try context.require([.staff(.departmentReviewer), .staff(.departmentHead)])
            let rows = try await cases.tasks(for: staff).map { task, summary in
                WorkPage.Row(caseID: summary.id, number: summary.number, itemName: summary.itemName, stepName: task.stepName, isLead: task.isLead, stateName: summary.stateName,
                             clock: summary.clock, assignedToMe: task.assigneeID == staff.accountID, awaitingDecision: summary.state == CasePolicy.awaitingDecision.rawValue)
            }
            return try app.renderer.page("work", WorkPage(layout: context.layout("部门工作台"), rows: rows))
        }
        router.post("/cases/:id/tasks/:task/complete") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            guard let taskID = context.parameters.get("task", as: UUID.self) else { throw AppError.notFound }
            return try await act(app, context, id: id) {
                _ = try await cases.completeTask(try change(request, context, id: id, version: nil), taskID: taskID, approve: form["opinion"] != "reject", note: form["note"])
            }
        }
        router.post("/cases/:id/tasks/:task/inspection") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            guard let taskID = context.parameters.get("task", as: UUID.self) else { throw AppError.notFound }
            return try await act(app, context, id: id) {
                guard let date = CalendarDate(iso8601: form["date"]) else { throw AppError.invalid("date", code: "inspection.date", "请填写核查日期") }
                let others = form["departments"].split(whereSeparator: { "、, ，".contains($0) }).map(String.init)
                _ = try await cases.scheduleInspection(try change(request, context, id: id, version: nil), taskID: taskID, date: date, departments: others, note: form["note"])
            }
        }
        router.post("/cases/:id/suspend") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.suspend(try change(request, context, id: id, version: nil), reason: form["reason"]) }
        }
        router.post("/cases/:id/resume") { request, context in
            let id = try caseID(context)
            _ = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.resume(try change(request, context, id: id, version: nil)) }
        }
        router.post("/cases/:id/decide") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) {
                guard let decision = CaseDecision(rawValue: form["decision"]) else { throw AppError.invalid("decision", code: "decision.unknown", "请选择决定") }
                _ = try await cases.decide(try change(request, context, id: id, version: form["version"]), decision: decision, reason: form["reason"])
            }
        }
        router.post("/cases/:id/extend") { request, context in
            let id = try caseID(context)
            let form = try await WebForm.read(request, context: context)
            return try await act(app, context, id: id) { _ = try await cases.extend(try change(request, context, id: id, version: form["version"]), days: Int(form["days"]) ?? 0, reason: form["reason"]) }
        }
    }

    static func materialsFor(_ app: AppServices, _ implementationID: UUID) async throws -> [ApplyPage.Material] {
        let (_, definition) = try await app.cases.publishedGuide(implementationID, on: app.persistence.db)
        return definition.attributes.materials.enumerated().map { position, m in
            .init(position: position, name: m.name, importanceName: m.importance == .primary ? "主要材料" : "次要材料（可容缺）", upload: m.requiredFromApplicant,
                  source: m.sources.map(\.chineseName).joined(separator: "；"), primary: m.importance == .primary)
        }
    }

    static func applyPage(_ app: AppServices, _ context: AppRequestContext, guide: GuideView, account: AccountModel, error: String?) async throws -> ApplyPage {
        let known = CaseService.knownApplicant(account)
        return ApplyPage(
            layout: context.layout("在线办理：\(guide.itemName)"), implementationID: guide.id, itemName: guide.itemName, regionName: guide.regionName, department: guide.department,
            fields: guide.formFields.enumerated().map { index, field in
                let value = CaseService.prefill(field: field, from: known)
                return .init(name: field, value: value ?? "", prefilled: value != nil, index: index)
            },
            materials: try await materialsFor(app, guide.id),
            deliveries: guide.delivery.enumerated().compactMap { index, name in
                ServiceTerms.Delivery.allCases.first { $0.chineseName == name }.map { .init(value: $0.rawValue, label: name, selected: index == 0) }
            },
            applicantName: account.displayName, applicantIDMasked: (account.idNumber ?? account.creditCode).map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            submissionKey: app.cases.random.uuid().uuidString, error: error)
    }

    /// The simulated payment gateway, routed only in demo mode (ONEVISIT_DEMO=true): it
    /// stands in for the province's unified payment platform and only signs callbacks.
    static func addSimulatedGateway(to router: Router<AppRequestContext>, app: AppServices) {
        let cases = app.cases
        let db = app.persistence.db
        router.get("/pay/:order") { _, context in
            let principal = try context.require([.applicant])
            guard let order = context.parameters.get("order"), let payment = try await PaymentModel.query(on: db).filter(\.$orderNumber == order).first(),
                  let c = try await CaseModel.find(payment.caseID, on: db), c.applicantID == principal.accountID
            else { throw AppError(.notFound, code: "payment.not_found", title: "支付单不存在") }
            return try app.renderer.page("gateway", GatewayPage(layout: context.layout("统一支付平台（模拟）"), orderNumber: order, amountText: FeeAmount.text(fen: payment.amountFen), itemName: c.itemName, caseID: c.id!))
        }
        router.post("/pay/:order/confirm") { request, context in
            _ = try await WebForm.read(request, context: context)
            let principal = try context.require([.applicant])
            guard let order = context.parameters.get("order"), let payment = try await PaymentModel.query(on: db).filter(\.$orderNumber == order).first(),
                  let c = try await CaseModel.find(payment.caseID, on: db), c.applicantID == principal.accountID
            else { throw AppError(.notFound, code: "payment.not_found", title: "支付单不存在") }
            guard let gateway = cases.gateway else { throw AppError(.forbidden, code: "payment.gateway_not_configured", title: "未配置支付平台，支付回调不予受理") }
            let transaction = "SIM\(cases.random.uuid().uuidString.prefix(12).replacingOccurrences(of: "-", with: ""))"
            let signature = gateway.sign(orderNumber: order, amountFen: payment.amountFen, transactionID: transaction)
            _ = try await cases.paymentCallback(orderNumber: order, amountFen: payment.amountFen, transactionID: transaction, signature: signature, address: context.remoteAddress)
            return Response.redirect(to: "/cases/\(c.id!)")
        }
    }

    /// The result file as an attachment.
    static func resultFile(_ c: CaseModel, _ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename*=UTF-8''\("办理结果-\(c.number).pdf".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", .cacheControl: "private, no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
