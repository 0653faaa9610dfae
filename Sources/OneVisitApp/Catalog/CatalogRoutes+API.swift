import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// `/api/v1`: catalog for other systems and apps.
extension CatalogRoutes {
    struct CreateItemRequest: Decodable {
        var department: String
        var definition: ItemDefinition
    }

    struct DraftRequest: Decodable { var definition: ItemDefinition }

    struct ImplementRequest: Decodable {
        var regionCode: String
        var departmentID: UUID
        var local: LocalDetails
    }

    struct TransitionRequest: Decodable {
        var action: String
        var version: Int?
    }

    struct Created: ResponseEncodable {
        var id: UUID
        var code: String?
        var versionID: UUID?
        var versionNumber: Int?
        var state: String?
    }

    struct CheckResult: ResponseEncodable {
        var flags: [MaterialCheck.Flag]
        var unjustifiedFlags: Int
        var problems: [String]
        var publishable: Bool
    }

    struct FileUploaded: ResponseEncodable {
        var sha256: String
        var fileName: String
        var mediaType: String
        var size: Int
        var url: String
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
            var path = ""
            switch error {
            case .keyNotFound(let key, let c): path = (c.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath.map(\.stringValue).joined(separator: ".")
            @unknown default: break
            }
            throw AppError(.unprocessableContent, code: "request.invalid_field", title: "字段缺失或格式不正确：\(path)", field: path)
        }
    }

    static func addAPI(to api: RouterGroup<AppRequestContext>, app: AppServices) {
        let catalog = app.catalog
        api.get("/guides") { request, _ -> [GuideSummary] in
            try await catalog.searchPublished(searchQuery(request))
        }
        api.get("/guides/:id") { _, context -> GuideView in
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            return try await catalog.guide(implementationID: id)
        }
        api.get("/catalog/reductions") { _, _ -> [DepartmentReductions] in
            try await catalog.reductionsByDepartment()
        }
        api.get("/catalog/drift") { _, context -> DriftReport in
            _ = try context.require(driftReaders)
            return try await catalog.driftReport()
        }
        api.get("/catalog/entries") { _, context -> [CatalogEntry] in
            try await catalog.entries(for: try context.require(catalogStaff))
        }
        api.post("/catalog/items") { request, context -> EditedResponse<Created> in
            let principal = try context.require([.staff(.catalogAdmin)])
            let body = try await decodeWithDefinition(CreateItemRequest.self, request: request)
            let item = try await catalog.createBaseItem(body.definition, department: body.department, actor: principal.auditName, address: context.remoteAddress)
            return EditedResponse(status: .created, response: Created(id: item.id!, code: item.code, versionNumber: 1))
        }
        api.post("/catalog/items/:code/versions") { request, context -> EditedResponse<Created> in
            let principal = try context.require([.staff(.catalogAdmin)])
            guard let code = context.parameters.get("code") else { throw AppError.notFound }
            let body = try await decodeWithDefinition(DraftRequest.self, request: request)
            let number = try await catalog.reviseBaseItem(code: code, body.definition, actor: principal.auditName, address: context.remoteAddress)
            guard let item = try await BaseItemModel.query(on: app.persistence.db).filter(\.$code == code).first() else { throw AppError.notFound }
            return EditedResponse(status: .created, response: Created(id: item.id!, code: code, versionNumber: number))
        }
        api.post("/catalog/items/:code/implementations") { request, context -> EditedResponse<Created> in
            let principal = try context.require([.staff(.catalogAdmin)])
            guard let code = context.parameters.get("code") else { throw AppError.notFound }
            let body = try await JSONBody.decode(ImplementRequest.self, from: request, context: context)
            let (implementation, version) = try await catalog.implement(code: code, regionCode: body.regionCode, departmentID: body.departmentID, local: body.local, actor: principal.auditName, address: context.remoteAddress)
            return EditedResponse(status: .created, response: Created(id: implementation.id!, code: code, versionID: version.id, versionNumber: version.number, state: version.state))
        }
        api.post("/catalog/implementations/:id/versions") { request, context -> EditedResponse<Created> in
            let principal = try context.require([.staff(.catalogAdmin)])
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            let body = try await decodeWithDefinition(DraftRequest.self, request: request)
            let version = try await catalog.saveDraft(implementationID: id, body.definition, actor: principal.auditName, address: context.remoteAddress)
            return EditedResponse(status: .created, response: Created(id: id, code: version.itemCode, versionID: version.id, versionNumber: version.number, state: version.state))
        }
        api.get("/catalog/guide-versions/:id/check") { _, context -> CheckResult in
            _ = try context.require(catalogStaff)
            guard let id = context.parameters.get("id", as: UUID.self), let version = try await GuideVersionModel.find(id, on: app.persistence.db) else { throw AppError.notFound }
            let (flags, problems) = catalog.check(try CatalogService.decode(version.definition))
            let unjustified = flags.filter { !$0.isJustified }.count
            return CheckResult(flags: flags, unjustifiedFlags: unjustified, problems: problems, publishable: unjustified == 0 && problems.isEmpty)
        }
        api.post("/catalog/guide-versions/:id/transitions") { request, context -> Created in
            let principal = try context.require(catalogStaff)
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            let body = try await JSONBody.decode(TransitionRequest.self, from: request, context: context)
            guard let action = GuideState.Action(rawValue: body.action) else {
                throw AppError.invalid("action", code: "guide.action_unknown", "操作须为 submit、approve、returnToDraft 或 publish")
            }
            let version = try await catalog.transition(versionID: id, action: action, principal: principal, expectedVersion: body.version, address: context.remoteAddress)
            return Created(id: version.implementationID, code: version.itemCode, versionID: version.id, versionNumber: version.number, state: version.state)
        }
        api.post("/catalog/files") { request, context -> EditedResponse<FileUploaded> in
            let principal = try context.require([.staff(.catalogAdmin)])
            let name = request.uri.queryParameters.get("name") ?? ""
            let buffer = try await request.body.collect(upTo: BlobStore.maxSize + 1)
            let stored = try await catalog.storeFile(Data(buffer: buffer), fileName: name, actor: principal.auditName, address: context.remoteAddress)
            let url = "/downloads/\(stored.sha256)/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "file")"
            return EditedResponse(status: .created, response: FileUploaded(sha256: stored.sha256, fileName: name, mediaType: stored.kind.mediaType, size: stored.size, url: url))
        }
    }
}
