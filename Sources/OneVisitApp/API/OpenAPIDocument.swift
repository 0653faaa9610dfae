import Foundation
import Hummingbird
import OneVisitAPI

/// Serves `openapi.json` of the `OneVisitAPI` target, the OpenAPI 3.1 description of every
/// `/api/v1` operation, which the API's types are generated from. A test compares it with
/// the registered routes, so it stays true.
enum OpenAPIDocument {
    static func load() throws -> ByteBuffer {
        guard let url = OpenAPIDocumentFile.url else {
            throw AppError(.internalServerError, code: "openapi.missing", title: "接口文档缺失")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    static func addRoute(to api: RouterGroup<AppRequestContext>) {
        let document = try? load()
        api.get(SitePath.API.Document.openAPI.route) { _, _ -> Response in
            guard let document else { throw AppError(.internalServerError, code: "openapi.missing", title: "接口文档缺失") }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"], body: .init(byteBuffer: document))
        }
    }
}
