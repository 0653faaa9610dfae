import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OneVisitDomain

extension AppError {
    /// The one answer to a wrong last four, an unknown case number and a malformed one (R7.5).
    static let progressNotFound = AppError(.notFound, code: "progress.not_found", title: "未找到办件：请核对办件编号和证件号码（或手机号）后四位")
}

extension ProgressThrottle.Refusal {
    var appError: AppError {
        AppError(.tooManyRequests, code: code, title: message,
                 detail: "同一办件编号每小时最多输错 \(ProgressThrottle.standard.triesPerNumber) 次，同一网络地址每小时最多输错 \(ProgressThrottle.standard.triesPerAddress) 次")
    }

    /// The API's 429: problem+json as `ErrorMiddleware` writes it, with `Retry-After`, which
    /// a thrown `AppError` cannot carry.
    func problemResponse(context: AppRequestContext) throws -> Response {
        let error = appError
        let problem = ErrorMiddleware.Problem(title: error.title, status: Int(error.status.code), code: error.code,
                                              detail: error.detail, field: nil, instance: context.id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(problem)
        return Response(status: error.status, headers: [.contentType: "application/problem+json", .retryAfter: "\(retryAfter)"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
