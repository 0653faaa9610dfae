import Crypto
import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A retried POST with the same `Idempotency-Key` gets the first answer and creates
/// nothing twice; the same key with another body is refused (422); a retry that
/// arrives while the first is still running gets 409.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let persistence: Persistence
    let clock: any AppClock
    static let header = HTTPField.Name("Idempotency-Key")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[Self.header] else {
            return try await next(request, context)
        }
        guard (1...200).contains(key.count) else {
            throw AppError(.badRequest, code: "idempotency.key_invalid", title: "Idempotency-Key 长度须为 1–200 个字符")
        }
        var request = request
        let body = try await request.collectBody(upTo: 8 * 1024 * 1024)
        let owner = context.principal?.accountID.uuidString ?? "anonymous"
        let scopeKey = AccountService.sha256("\(owner)|\(request.uri.path)|\(key)")
        let requestHash = SHA256.hash(data: Data(buffer: body)).map { String(format: "%02x", $0) }.joined()

        let pending = IdempotencyRecordModel()
        pending.scopeKey = scopeKey
        pending.requestHash = requestHash
        pending.createdAt = clock.now
        do {
            try await pending.create(on: persistence.db)
        } catch {
            guard let existing = try await IdempotencyRecordModel.query(on: persistence.db).filter(\.$scopeKey == scopeKey).first() else {
                throw error
            }
            guard existing.requestHash == requestHash else {
                throw AppError(.unprocessableContent, code: "idempotency.key_reused", title: "同一个 Idempotency-Key 已用于另一份请求内容")
            }
            guard let status = existing.status else {
                throw AppError(.conflict, code: "idempotency.in_progress", title: "相同的请求正在处理，请稍后重试")
            }
            var headers: HTTPFields = [.contentType: existing.contentType ?? "application/json"]
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: existing.body ?? "")))
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await pending.delete(on: persistence.db)
            throw error
        }
        guard response.status.code < 500 else {
            try? await pending.delete(on: persistence.db)
            return response
        }
        let collector = CollectingWriter()
        var copy = response
        try await copy.body.write(collector)
        let bytes = collector.buffer
        pending.status = Int(response.status.code)
        pending.contentType = response.headers[.contentType]
        pending.body = String(buffer: bytes)
        try await pending.update(on: persistence.db)
        copy.body = .init(byteBuffer: bytes)
        return copy
    }
}

/// Gathers a response body so it can be stored and sent again.
final class CollectingWriter: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    func write(_ part: ByteBuffer) async throws {
        var part = part
        buffer.writeBuffer(&part)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
