import Foundation
import Hummingbird
import OneVisitDomain

/// Applying online (R7.3): the form with what the platform already knows filled in, and its submission.
extension CasePages {
    static func applyForm(_ app: AppServices, _ request: Request, _ context: RoleContext<Scopes.ApplicantCases>) async throws -> Response {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return try await applyPage(app, context, implementationID: id, error: nil)
    }

    /// One submission per form: the form's key makes a double click or a retried post land on the first case.
    static func applySubmit(_ app: AppServices, _ request: Request, _ context: RoleContext<Scopes.ApplicantCases>) async throws -> Response {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        let form = try await MultipartForm.read(request, context: context)
        let guardian = SubmissionGuard(persistence: app.persistence, clock: app.clock)
        var claimed: IdempotencyRecordRow?
        switch try await guardian.claim(key: form["submissionKey"], owner: context.principal.accountID, form: SitePath.Cases.apply(id).link) {
        case .done(let location): return Response.redirect(to: location)
        case .inProgress: return Response.redirect(to: SitePath.Cases.list)
        case .fresh(let record): claimed = record
        case nil: break
        }
        do {
            let submission = CaseService.Application(
                implementationID: id, formData: form.prefixed("field_"), files: form.numberedFiles("material_"),
                deliveryMode: try CaseService.deliveryMode(form["deliveryMode"]), deliveryAddress: form["deliveryAddress"],
                fee: try FeeRequest.form(form.fields, clerk: false))
            let c = try await app.cases.submitOnline(submission, applicant: context.principal, address: context.remoteAddress)
            let location = SitePath.Cases.detail(c.id).link(query: [("submitted", "1")])
            if let claimed { try await guardian.complete(claimed, location: location) }
            return Response.redirect(to: location)
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .contentTooLarge {
            if let claimed { await guardian.release(claimed) }
            return try await applyPage(app, context, implementationID: id, error: error, feeCondition: form["feeCondition"])
        }
    }

    /// `feeCondition`: the condition chosen before a refused submission, shown chosen again.
    static func applyPage(_ app: AppServices, _ context: RoleContext<Scopes.ApplicantCases>, implementationID: UUID, error: AppError?,
                          feeCondition: String? = nil) async throws -> Response {
        let guide = try await app.catalog.guide(implementationID: implementationID)
        guard let account = try await AccountRow.find(context.principal.accountID, on: app.persistence.sql) else { throw AppError.unauthenticated }
        let known = CaseService.knownApplicant(account)
        let (_, definition) = try await app.cases.publishedGuide(implementationID, on: app.persistence.db)
        let page = ApplyPage(
            layout: context.layout("在线办理：\(guide.itemName)"), action: SitePath.Cases.apply(guide.id).link, itemName: guide.itemName, regionName: guide.regionName, department: guide.department,
            fields: definition.attributes.formFields.enumerated().map { index, field in
                let value = CaseService.prefill(field: field, from: known)
                return .init(name: field.name, value: value ?? "", prefilled: value != nil, index: index)
            },
            materials: try await materialsFor(app, guide.id),
            deliveries: guide.delivery.enumerated().compactMap { index, name in
                ServiceTerms.Delivery.allCases.first { $0.chineseName == name }.map { .init(value: $0.rawValue, label: name, selected: index == 0) }
            },
            applicantName: account.displayName, applicantIDMasked: (account.idNumber ?? account.creditCode).map { Masking.mask($0, keepPrefix: 4, keepSuffix: 4) } ?? "",
            submissionKey: app.cases.random.uuid().uuidString, error: error?.title, fee: FeeChoiceView(guide.fees, chosen: feeCondition))
        return try app.renderer.page("apply", page, status: error?.status ?? .ok)
    }

    static func materialsFor(_ app: AppServices, _ implementationID: UUID) async throws -> [ApplyPage.Material] {
        let (_, definition) = try await app.cases.publishedGuide(implementationID, on: app.persistence.db)
        return definition.attributes.materials.enumerated().map { position, m in
            .init(position: position, name: m.name, importanceName: m.importance == .primary ? "主要材料" : "次要材料（可容缺）", upload: m.requiredFromApplicant,
                  source: m.sources.map(\.chineseName).joined(separator: "；"), primary: m.importance == .primary)
        }
    }
}

extension MultipartForm {
    /// Fields named `prefix` + name, by name.
    func prefixed(_ prefix: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: fields.filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }

    /// Files named `prefix` + a number, by number (the material's position).
    func numberedFiles(_ prefix: String) -> [Int: File] {
        var files: [Int: File] = [:]
        for (name, file) in self.files where name.hasPrefix(prefix) {
            if let position = Int(name.dropFirst(prefix.count)) { files[position] = file }
        }
        return files
    }
}
