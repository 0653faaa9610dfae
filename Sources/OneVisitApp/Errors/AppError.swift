import Hummingbird
import OneVisitDomain

/// An error a client may see: a stable `code`, a Chinese `title`, an HTTP status.
/// Mapped once to problem+json for `/api` and to an error page for the web (STYLE.md 6).
public struct AppError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String?
    /// The form or JSON field the error is about, when there is one.
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, title: String, detail: String? = nil, field: String? = nil) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
    }

    static let unauthenticated = AppError(.unauthorized, code: "auth.required", title: "请先登录")
    static let forbidden = AppError(.forbidden, code: "auth.forbidden", title: "您没有执行此操作的权限")
    static let invalidCredentials = AppError(.unauthorized, code: "auth.invalid_credentials", title: "账号或密码错误")
    static let totpRequired = AppError(.unauthorized, code: "auth.totp_required", title: "此账号须输入动态验证码", field: "totp")
    static let totpInvalid = AppError(.unauthorized, code: "auth.totp_invalid", title: "动态验证码错误或已过期", field: "totp")
    static let csrf = AppError(.forbidden, code: "web.csrf", title: "页面已过期，请刷新后重试")
    static let malformedBody = AppError(.badRequest, code: "request.malformed", title: "请求内容格式不正确")
    static let notFound = AppError(.notFound, code: "not_found", title: "您访问的页面或资源不存在")
    /// The database is busy (a lock held elsewhere, no free connection): nothing was done,
    /// the same request may be sent again; answered with `Retry-After`.
    static let serviceBusy = AppError(.serviceUnavailable, code: "service.busy", title: "系统繁忙，请稍后重试")
    /// A retried key whose first answer held a secret, which is never stored.
    static let idempotencyNotReplayable = AppError(.conflict, code: "idempotency.not_replayable", title: "该请求的结果含有敏感信息，不能重放，请重新发起请求")

    static func locked(minutes: Int) -> AppError {
        AppError(.init(code: 423, reasonPhrase: "Locked"), code: "auth.locked", title: "账号已被临时锁定，请 \(minutes) 分钟后再试", detail: "连续输错密码 5 次后账号锁定 15 分钟")
    }

    static func invalid(_ field: String, code: String, _ title: String) -> AppError {
        AppError(.unprocessableContent, code: code, title: title, field: field)
    }

    static func identity(_ error: IdentityNumberError, field: String) -> AppError {
        AppError(.unprocessableContent, code: error.code, title: error.message, field: field)
    }

    /// A Chinese title for a status raised outside our code (routing, body limits).
    static func from(status: HTTPResponse.Status) -> AppError {
        switch status.code {
        case 404: notFound
        case 405: AppError(status, code: "method_not_allowed", title: "不支持此请求方式")
        case 413: AppError(status, code: "request.too_large", title: "提交的内容过大")
        case 400: malformedBody
        case 401: unauthenticated
        case 403: forbidden
        default:
            status.code >= 500
                ? AppError(status, code: "internal", title: "系统繁忙，请稍后再试")
                : AppError(status, code: "request.rejected", title: "请求未被接受")
        }
    }
}

extension AppError: CustomStringConvertible {
    /// As the command line prints it.
    public var description: String { "\(title)（\(code)）" }
}
