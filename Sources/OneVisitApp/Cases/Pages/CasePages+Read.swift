import Foundation
import Hummingbird
import OneVisitDomain

/// Reading a case: the applicant's list, the case page, its documents, material files and result.
extension CasePages {
    static func list(_ app: AppServices, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let principal = context.principal
        switch principal.role {
        case .applicant:
            return try app.renderer.page("cases", ListPage(layout: context.layout("我的办件"), cases: try await app.cases.cases(of: principal), title: "我的办件"))
        case .staff(.windowClerk): return Response.redirect(to: SitePath.Cases.desk)
        case .staff(.departmentReviewer), .staff(.departmentHead): return Response.redirect(to: SitePath.Cases.work)
        // Roles without a case queue go to their home page, which lists what they can do.
        default: return Response.redirect(to: SitePath.Accounts.home)
        }
    }

    static func detail(_ app: AppServices, _ request: Request, _ context: SignedInContext) async throws -> Response {
        try await casePage(app, context, id: try caseID(context), isNew: request.uri.queryParameters.get("submitted") != nil)
    }

    static func document(_ app: AppServices, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let id = try caseID(context)
        _ = try await app.cases.visibleCase(id, to: context.principal, on: app.persistence.db)
        guard let docID = context.parameters.get("doc", as: UUID.self), let doc = try await CaseDocumentRow.find(docID, on: app.persistence.sql), doc.caseID == id,
              let content = CaseDocumentContent.decode(doc.content)
        else { throw AppError(.notFound, code: "document.not_found", title: "文书不存在") }
        return try app.renderer.page("document", DocumentPage(layout: context.layout(content.title), document: content, caseLink: SitePath.Cases.detail(id).link))
    }

    static func materialFile(_ app: AppServices, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let id = try caseID(context)
        _ = try await app.cases.visibleCase(id, to: context.principal, on: app.persistence.db)
        guard let materialID = context.parameters.get("material", as: UUID.self), let m = try await CaseMaterialRow.find(materialID, on: app.persistence.sql), m.caseID == id,
              let sha = m.fileSHA, let data = try app.blobs.read(sha)
        else { throw AppError(.notFound, code: "file.not_found", title: "文件不存在或已被删除") }
        let mediaType = m.mediaType ?? BlobStore.Kind.sniff(data)?.mediaType ?? "application/octet-stream"
        return attachment(data, mediaType: mediaType, fileName: m.fileName ?? "material")
    }

    /// The result file, once delivered (R8.7): reading it changes nothing.
    static func result(_ app: AppServices, _ request: Request, _ context: SignedInContext) async throws -> Response {
        let c = try await app.cases.visibleCase(try caseID(context), to: context.principal, on: app.persistence.db)
        return resultFile(c, try app.cases.deliveredResult(c))
    }

    /// The applicant's "下载结果": records delivery by download the first time, then answers with the file.
    static func download(_ app: AppServices, _ request: Request, _ context: RoleContext<CaseSteps.Download>) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        let change = try change(context, version: nil)
        do {
            let (c, data) = try await app.cases.downloadResult(change)
            return resultFile(c, data)
        } catch let error as AppError where error.status == .conflict || error.status == .forbidden {
            return try await casePage(app, context, id: change.caseID, error: error.title, status: error.status)
        }
    }

    static func resultFile(_ c: CaseRow, _ data: Data) -> Response {
        attachment(data, mediaType: "application/pdf", fileName: "办理结果-\(c.number).pdf")
    }

    static func attachment(_ data: Data, mediaType: String, fileName: String) -> Response {
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        return Response(status: .ok, headers: [.contentType: mediaType, .contentDisposition: "attachment; filename*=UTF-8''\(encoded)", .cacheControl: "private, no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
