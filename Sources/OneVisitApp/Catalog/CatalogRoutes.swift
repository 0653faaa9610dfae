import FluentKit
import Foundation
import Hummingbird
import OneVisitDomain

/// The public guides (R5.3, R6.1, R8.1.3), the catalog admin's pages and `/api/v1/catalog`.
enum CatalogRoutes {
    static let catalogStaff: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor), .staff(.departmentHead)]
    static let driftReaders: Set<Role> = [.staff(.catalogAdmin), .staff(.supervisor)]

    struct GuideListPage {
        struct Option { var value: String; var label: String; var selected: Bool }
        var layout: LayoutView
        var q: String
        var regions: [Option]
        var departments: [Option]
        var topics: [Option]
        var guides: [GuideSummary]
        var count: Int
        var itemCount: Int
        var searched: Bool
    }

    struct GuidePage {
        var layout: LayoutView
        var guide: GuideView
        var isDraft: Bool
    }

    struct ReductionsPage {
        var layout: LayoutView
        var departments: [DepartmentReductions]
        var total: DepartmentReductions
    }

    struct CatalogPage {
        var layout: LayoutView
        var entries: [CatalogEntry]
        var message: String?
    }

    struct DriftPage {
        var layout: LayoutView
        var report: DriftReport
    }

    static func searchQuery(_ request: Request) -> CatalogService.SearchQuery {
        let p = request.uri.queryParameters
        return .init(text: String((p.get("q") ?? "").prefix(50)), department: p.get("department") ?? "", topic: p.get("topic") ?? "", region: p.get("region") ?? "")
    }

    static func addPages(to router: Router<AppRequestContext>, app: AppServices) {
        let catalog = app.catalog
        router.get("/guides") { request, context in
            let query = searchQuery(request)
            let guides = try await catalog.searchPublished(query)
            let facets = try await catalog.facets()
            let page = GuideListPage(
                layout: context.layout("办事指南"), q: query.text,
                regions: facets.regions.map { .init(value: $0.code, label: $0.name, selected: $0.code == query.region) },
                departments: facets.departments.map { .init(value: $0, label: $0, selected: $0 == query.department) },
                topics: facets.topics.map { .init(value: $0, label: $0, selected: $0 == query.topic) },
                guides: guides, count: guides.count, itemCount: Set(guides.map(\.itemCode)).count,
                searched: !query.text.isEmpty || !query.department.isEmpty || !query.topic.isEmpty || !query.region.isEmpty)
            return try app.renderer.page("guides", page)
        }
        router.get("/guides/reductions") { _, context in
            let departments = try await catalog.reductionsByDepartment()
            let total = departments.reduce(DepartmentReductions(department: "合计", guides: 0, materialsRemoved: 0, daysCompressed: 0, tripsReduced: 0, zeroTripGuides: 0, fullyOnlineGuides: 0)) {
                DepartmentReductions(department: "合计", guides: $0.guides + $1.guides, materialsRemoved: $0.materialsRemoved + $1.materialsRemoved,
                                     daysCompressed: $0.daysCompressed + $1.daysCompressed, tripsReduced: $0.tripsReduced + $1.tripsReduced,
                                     zeroTripGuides: $0.zeroTripGuides + $1.zeroTripGuides, fullyOnlineGuides: $0.fullyOnlineGuides + $1.fullyOnlineGuides)
            }
            return try app.renderer.page("reductions", ReductionsPage(layout: context.layout("减材料 减时限 减跑动"), departments: departments, total: total))
        }
        router.get("/guides/:id") { _, context in
            guard let id = context.parameters.get("id", as: UUID.self) else { throw AppError.notFound }
            // Staff preview the newest version; everyone else sees the published one.
            let preview = context.principal?.role.isStaff == true
            let guide = try await catalog.guide(implementationID: id, includeUnpublished: preview)
            return try app.renderer.page("guide", GuidePage(layout: context.layout(guide.itemName), guide: guide, isDraft: guide.state != GuideState.published.rawValue))
        }
        router.get("/downloads/:sha/:name") { _, context in
            let notFound = AppError(.notFound, code: "file.not_found", title: "文件不存在或已被删除")
            // Only what the catalog stored is served here: blank forms and samples of guides are
            // public, and catalog admins also see what they uploaded. A case's materials and results
            // share the content-addressed store but are served with the case, to those who may see it.
            guard let sha = context.parameters.get("sha"), sha.count == 64, sha.allSatisfy(\.isHexDigit), let name = context.parameters.get("name"),
                  let stored = try await StoredFileModel.find(sha, on: app.persistence.db), stored.purpose == StoredFileModel.catalogPurpose
            else { throw notFound }
            if context.principal?.role != .staff(.catalogAdmin) {
                let states = context.principal?.role.isStaff == true ? GuideState.allCases.map(\.rawValue) : [GuideState.published.rawValue]
                guard try await GuideVersionModel.query(on: app.persistence.db).filter(\.$definition ~~ sha).filter(\.$state ~~ states).first() != nil else { throw notFound }
            }
            guard let data = try app.blobs.read(sha) else { throw notFound }
            let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
            return Response(
                status: .ok,
                headers: [.contentType: stored.mediaType, .contentDisposition: "attachment; filename=\"download\"; filename*=UTF-8''\(encoded)",
                          .cacheControl: "public, max-age=31536000, immutable"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/catalog") { request, context in
            let principal = try context.require(catalogStaff)
            let message = request.uri.queryParameters.get("done").map { "已完成：\($0)" }
            return try app.renderer.page("catalog", CatalogPage(layout: context.layout("事项目录"), entries: try await catalog.entries(for: principal), message: message))
        }
        router.post("/catalog/transition") { request, context in
            let principal = try context.require(catalogStaff)
            let form = try await WebForm.read(request, context: context)
            guard let id = UUID(uuidString: form["versionID"]), let action = GuideState.Action(rawValue: form["action"]) else { throw AppError.malformedBody }
            let version = try await catalog.transition(versionID: id, action: action, principal: principal, expectedVersion: Int(form["version"]), address: context.remoteAddress)
            let done = "\(version.itemName) → \(GuideState(rawValue: version.state)?.chineseName ?? version.state)"
            return Response.redirect(to: "/catalog?done=\(done.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        }
        router.get("/catalog/drift") { _, context in
            _ = try context.require(driftReaders)
            return try app.renderer.page("drift", DriftPage(layout: context.layout("三级十同核对"), report: try await catalog.driftReport()))
        }
    }

    // MARK: API

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

extension CatalogService {
    /// Checks a file by content and size, stores it content-addressed, and records it
    /// with its audit entry in one transaction.
    func storeFile(_ data: Data, fileName: String, actor: String, address: String) async throws -> BlobStore.Stored {
        let kind = try BlobStore.check(data, fileName: fileName)
        let sha = try blobs.write(data)
        let now = clock.now
        try await persistence.transaction { tx in
            try await StoredFileModel.record(sha256: sha, mediaType: kind.mediaType, size: data.count, purpose: StoredFileModel.catalogPurpose, at: now, on: tx)
            try await AuditLog.append(.init(actor: actor, action: "file.store", objectType: "file", objectID: sha, address: address, detail: fileName), at: now, on: tx)
        }
        return .init(sha256: sha, kind: kind, size: data.count)
    }
}
