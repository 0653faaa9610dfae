import FluentKit
import Foundation
import Hummingbird
import OneVisitAPI
import OneVisitDomain

/// `/api/v1`: the catalog for other systems and apps. Bodies are the types generated from
/// `openapi.json`; each group of routes takes the request context of its permission.
extension CatalogRoutes {
    typealias ReaderContext = RoleContext<Scopes.CatalogRead>
    typealias EditorContext = RoleContext<Scopes.CatalogEdit>
    typealias DriftContext = RoleContext<Scopes.CatalogDrift>
    typealias Path = SitePath.API.Catalog

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        api.get(Path.guides.route) { try await searchGuides($0, $1, app: app) }
        api.get(SitePath.route(Path.guide)) { try await guide($0, $1, app: app) }
        api.get(Path.reductions.route) { try await reductions($0, $1, app: app) }
        api.group(context: DriftContext.self).get(Path.drift.route) { try await drift($0, $1, app: app) }
        let readers = api.group(context: ReaderContext.self)
        readers.get(Path.entries.route) { try await entries($0, $1, app: app) }
        readers.get(SitePath.route(Path.guideVersionCheck)) { try await checkGuideVersion($0, $1, app: app) }
        readers.post(SitePath.route(Path.guideVersionTransitions)) { try await transitionGuide($0, $1, app: app) }
        let editors = api.group(context: EditorContext.self)
        editors.post(Path.items.route) { try await createItem($0, $1, app: app) }
        editors.post(SitePath.route(Path.itemVersions)) { try await reviseItem($0, $1, app: app) }
        editors.post(SitePath.route(Path.itemImplementations)) { try await implementItem($0, $1, app: app) }
        editors.post(SitePath.route(Path.implementationVersions)) { try await saveGuideDraft($0, $1, app: app) }
        editors.post(Path.files.route) { try await uploadFile($0, $1, app: app) }
    }

    // MARK: public

    static func searchGuides(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> [Components.Schemas.GuideSummary] {
        try await app.catalog.searchPublished(searchQuery(request)).map(Components.Schemas.GuideSummary.init)
    }

    static func guide(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> Components.Schemas.Guide {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        return try .init(try await app.catalog.guide(implementationID: id))
    }

    static func reductions(_ request: Request, _ context: AppRequestContext, app: AppServices) async throws -> [Components.Schemas.DepartmentReductions] {
        try await app.catalog.reductionsByDepartment().map(Components.Schemas.DepartmentReductions.init)
    }

    // MARK: catalog staff

    static func drift(_ request: Request, _ context: DriftContext, app: AppServices) async throws -> Components.Schemas.DriftReport {
        try .init(try await app.catalog.driftReport())
    }

    static func entries(_ request: Request, _ context: ReaderContext, app: AppServices) async throws -> [Components.Schemas.CatalogEntry] {
        try await app.catalog.entries(for: context.principal).map(Components.Schemas.CatalogEntry.init)
    }

    static func checkGuideVersion(_ request: Request, _ context: ReaderContext, app: AppServices) async throws -> Components.Schemas.GuideCheck {
        guard let id = context.parameters.get("id", as: UUID.self),
              let version = try await GuideVersionModel.find(id, on: app.persistence.db) else { throw AppError.notFound }
        let (flags, problems) = app.catalog.check(try CatalogService.decode(version.definition))
        let unjustified = flags.filter { !$0.isJustified }.count
        return .init(flags: try flags.map(Components.Schemas.MaterialFlag.init), unjustifiedFlags: unjustified, problems: problems,
                     publishable: unjustified == 0 && problems.isEmpty)
    }

    static func transitionGuide(_ request: Request, _ context: ReaderContext, app: AppServices) async throws -> Components.Schemas.Created {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        let body = try await JSONBody.decode(Components.Schemas.GuideTransitionRequest.self, from: request, context: context)
        guard let action = GuideState.Action(rawValue: body.action.rawValue) else {
            throw AppError.invalid("action", code: "guide.action_unknown", "操作须为 submit、approve、returnToDraft 或 publish")
        }
        let version = try await app.catalog.transition(
            versionID: id, action: action, principal: context.principal, expectedVersion: body.version, address: context.remoteAddress)
        return try created(version)
    }

    // MARK: catalog admin

    static func createItem(_ request: Request, _ context: EditorContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.Created> {
        let body = try await decodeWithDefinition(Components.Schemas.CreateItemRequest.self, request: request)
        let item = try await app.catalog.createBaseItem(
            try ItemDefinition(body.definition), department: body.department, actor: context.principal.auditName, address: context.remoteAddress)
        return EditedResponse(status: .created, response: .init(id: item.id!.uuidString, code: item.code, versionNumber: 1))
    }

    static func reviseItem(_ request: Request, _ context: EditorContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.Created> {
        guard let code = context.parameters.get("code") else { throw AppError.notFound }
        let body = try await decodeWithDefinition(Components.Schemas.DraftRequest.self, request: request)
        let number = try await app.catalog.reviseBaseItem(
            code: code, try ItemDefinition(body.definition), actor: context.principal.auditName, address: context.remoteAddress)
        guard let item = try await BaseItemModel.query(on: app.persistence.db).filter(\.$code == code).first() else { throw AppError.notFound }
        return EditedResponse(status: .created, response: .init(id: item.id!.uuidString, code: code, versionNumber: number))
    }

    static func implementItem(_ request: Request, _ context: EditorContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.Created> {
        guard let code = context.parameters.get("code") else { throw AppError.notFound }
        let body = try await JSONBody.decode(Components.Schemas.ImplementRequest.self, from: request, context: context)
        guard let departmentID = UUID(uuidString: body.departmentID) else {
            throw AppError(.badRequest, code: "request.malformed", title: "请求内容格式不正确", detail: "字段 departmentID 类型不正确")
        }
        let (_, version) = try await app.catalog.implement(
            code: code, regionCode: body.regionCode, departmentID: departmentID, local: LocalDetails(body.local),
            actor: context.principal.auditName, address: context.remoteAddress)
        return EditedResponse(status: .created, response: try created(version, code: code))
    }

    static func saveGuideDraft(_ request: Request, _ context: EditorContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.Created> {
        guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
        let body = try await decodeWithDefinition(Components.Schemas.DraftRequest.self, request: request)
        let version = try await app.catalog.saveDraft(
            implementationID: id, try ItemDefinition(body.definition), actor: context.principal.auditName, address: context.remoteAddress)
        return EditedResponse(status: .created, response: try created(version))
    }

    static func uploadFile(_ request: Request, _ context: EditorContext, app: AppServices) async throws -> EditedResponse<Components.Schemas.FileUploaded> {
        let name = request.uri.queryParameters.get("name") ?? ""
        let buffer = try await request.body.collect(upTo: BlobStore.maxSize + 1)
        let stored = try await app.catalog.storeFile(Data(buffer: buffer), fileName: name, actor: context.principal.auditName, address: context.remoteAddress)
        return EditedResponse(status: .created, response: .init(
            sha256: stored.sha256, fileName: name, mediaType: stored.kind.mediaType, size: stored.size,
            url: SitePath.Catalog.download(stored.sha256, name).link))
    }

    /// A guide version as the answer to a change: its implementation, item and state.
    static func created(_ version: GuideVersionModel, code: String? = nil) throws -> Components.Schemas.Created {
        .init(id: version.implementationID.uuidString, code: code ?? version.itemCode, versionID: version.id?.uuidString,
              versionNumber: version.number, state: try .apiValue(version.state))
    }

    /// Reads a body holding an item definition. Type and code are checked first so that a
    /// penalty, an unknown type or a malformed code each get their own 422.
    static func decodeWithDefinition<T: Decodable>(_ type: T.Type, request: Request) async throws -> T {
        let buffer = try await request.body.collect(upTo: 1024 * 1024)
        let data = Data(buffer: buffer)
        if TextInput.jsonHasControlEscape(data) { throw AppError.controlCharacter() }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw AppError.malformedBody }
        if let definition = object["definition"] as? [String: Any], let attributes = definition["attributes"] as? [String: Any] {
            do {
                let itemType = try ItemType.parse(attributes["itemType"] as? String ?? "")
                _ = try ItemCode(attributes["itemCode"] as? String ?? "", type: itemType)
            } catch {
                throw CatalogService.invalid(error)
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw invalidField(error)
        }
    }

    /// A body that does not fit its schema: 422 naming the field.
    static func invalidField(_ error: DecodingError) -> AppError {
        var path = ""
        switch error {
        case .keyNotFound(let key, let c): path = (c.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath.map(\.stringValue).joined(separator: ".")
        @unknown default: break
        }
        return AppError(.unprocessableContent, code: "request.invalid_field", title: "字段缺失或格式不正确：\(path)", field: path)
    }
}
