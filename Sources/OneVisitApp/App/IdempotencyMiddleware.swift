import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A retried POST with the same `Idempotency-Key` gets the first answer and creates
/// nothing twice; the same key with another body is refused (422); a retry that
/// arrives while the first is still running gets 409.
///
/// Keys are scoped to the caller (`scope`), forgotten after a day, and a key left in
/// progress by a crash is taken over after a lease (`Persistence.claimIdempotencyKey`).
/// An answer marked `Cache-Control: no-store` (a login's bearer token, a claim code) is
/// never stored: a retry of it gets 409 `idempotency.not_replayable` and must start
/// again with a new key, rather than the route running a second time unasked.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let persistence: Persistence
    let clock: any AppClock
    static let header = HTTPField.Name("Idempotency-Key")!
    /// The largest body any route accepts (an online submission with base64 materials,
    /// 20 MB) and one byte more: a bigger body is 413 as it is without a key, and each
    /// route still applies its own, smaller limit to the body collected here.
    static let bodyLimit = 20 * 1024 * 1024 + 1

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[Self.header] else {
            return try await next(request, context)
        }
        guard (1...200).contains(key.count) else {
            throw AppError(.badRequest, code: "idempotency.key_invalid", title: "Idempotency-Key 长度须为 1–200 个字符")
        }
        var request = request
        let body = try await request.collectBody(upTo: Self.bodyLimit)
        let scopeKey = Self.scope(account: context.principal?.accountID, address: context.remoteAddress, path: request.uri.path, key: key)
        let requestHash = Self.requestHash(body)

        let pending: IdempotencyRecordRow
        switch try await persistence.claimIdempotencyKey(scope: scopeKey, requestHash: requestHash, now: clock.now) {
        case .fresh(let record):
            pending = record
        case .taken(let existing):
            guard existing.requestHash == requestHash else {
                throw AppError(.unprocessableContent, code: "idempotency.key_reused", title: "同一个 Idempotency-Key 已用于另一份请求内容")
            }
            guard let status = existing.status else {
                throw AppError(.conflict, code: "idempotency.in_progress", title: "相同的请求正在处理，请稍后重试")
            }
            guard let stored = existing.body else { throw AppError.idempotencyNotReplayable }
            var headers: HTTPFields = [.contentType: existing.contentType ?? "application/json"]
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored)))
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await persistence.releaseIdempotencyKey(pending)
            throw error
        }
        guard response.status.code < 500 else {
            try? await persistence.releaseIdempotencyKey(pending)
            return response
        }
        let status = Int(response.status.code)
        guard !Self.holdsSecret(response) else {
            // Only the fact that it ran: the answer itself is sent once and kept nowhere.
            try await persistence.storeIdempotentAnswer(pending, status: status, contentType: nil, body: nil)
            return response
        }
        let collector = CollectingWriter()
        var copy = response
        try await copy.body.write(collector)
        let bytes = collector.buffer
        try await persistence.storeIdempotentAnswer(pending, status: status, contentType: response.headers[.contentType], body: String(buffer: bytes))
        copy.body = .init(byteBuffer: bytes)
        return copy
    }

    /// Tells a retry from another request under the same key.
    static func requestHash(_ body: ByteBuffer) -> String {
        SHA256.hash(data: Data(buffer: body)).map { String(format: "%02x", $0) }.joined()
    }

    /// An answer no cache may keep is no answer to keep here either.
    static func holdsSecret(_ response: Response) -> Bool {
        response.headers[values: .cacheControl].contains { $0.lowercased().contains("no-store") }
    }

    /// The key space of one caller on one path. Signed-in callers have their account's;
    /// anonymous ones that of their address, so strangers on the internet do not share one.
    ///
    /// What remains: clients behind one NAT or proxy share an anonymous space. There one
    /// could only replay another's answer by sending the same key with the very same body,
    /// and the anonymous POST routes answer nothing private beyond that body: login answers
    /// `no-store` and are never stored, registration answers the new account with ID number
    /// and phone masked, the payment callback an acknowledgement. A guessed key can at most
    /// be answered 422/409 for a different body, which is why clients use random keys.
    static func scope(account: UUID?, address: String, path: String, key: String) -> String {
        let owner = account?.uuidString ?? "anonymous@\(address)"
        return AccountService.sha256("\(owner)|\(path)|\(key)")
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
