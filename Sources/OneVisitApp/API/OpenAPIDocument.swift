import Foundation
import Hummingbird

/// Serves `Resources/openapi.json`, the OpenAPI 3.1 description of every `/api/v1`
/// operation. A test compares it with the registered routes, so it stays true.
enum OpenAPIDocument {
    static func load() throws -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw AppError(.internalServerError, code: "openapi.missing", title: "接口文档缺失")
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    static func addRoute(to api: RouterGroup<AppRequestContext>) {
        let document = try? load()
        api.get("/openapi.json") { _, _ -> Response in
            guard let document else { throw AppError(.internalServerError, code: "openapi.missing", title: "接口文档缺失") }
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"], body: .init(byteBuffer: document))
        }
    }
}
