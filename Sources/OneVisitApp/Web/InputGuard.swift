import Foundation
import Hummingbird
import OneVisitDomain

extension AppError {
    /// A NUL or another control character in text (issue 10 item 10): 422 on both databases.
    static func controlCharacter(field: String? = nil) -> AppError {
        AppError(.unprocessableContent, code: "request.control_character",
                 title: "提交的内容含有不可见的控制字符（如 NUL），请删除后重试", field: field)
    }
}

/// Refuses control characters in the path and query of every request before a handler
/// sees them; bodies are checked where they are read (`JSONBody`, `WebForm`, `MultipartForm`).
struct InputGuardMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path.removingPercentEncoding ?? request.uri.path
        if TextInput.hasControlCharacter(path) { throw AppError.controlCharacter() }
        if let query = request.uri.query {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decoded = parts.map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                if decoded.contains(where: TextInput.hasControlCharacter) { throw AppError.controlCharacter(field: decoded.first) }
            }
        }
        return try await next(request, context)
    }
}
