import Foundation
import Hummingbird
import Mustache
import OneVisitDomain

/// Server-rendered Chinese pages from the Mustache templates in Resources/templates.
public struct WebRenderer: Sendable {
    let library: MustacheLibrary

    public static func load() async throws -> WebRenderer {
        guard let url = Bundle.module.url(forResource: "templates", withExtension: nil, subdirectory: "Resources") else {
            throw ConfigError(setting: "templates", problem: "模板目录缺失 (template folder missing from the bundle)")
        }
        return WebRenderer(library: try await MustacheLibrary(directory: url.path))
    }

    static var publicFolder: String {
        Bundle.module.url(forResource: "public", withExtension: nil, subdirectory: "Resources")?.path ?? "public"
    }

    /// Renders `template` with `model` inside the layout; `status` for error and re-shown forms.
    func page(_ template: String, _ model: some Any, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = library.render(model, withTemplate: template) else {
            throw AppError(.internalServerError, code: "web.template", title: "页面模板缺失")
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

/// What every page's layout needs.
struct LayoutView: Sendable {
    var title: String
    var csrf: String
    var user: UserView?
    var links = SiteLinks.shared
}

struct UserView: Sendable {
    var name: String
    var roleName: String
    var roleCode: String
}


/// A submitted urlencoded form, after the CSRF check (double-submit cookie, SameSite=Strict).
struct WebForm {
    var fields: [String: String]

    subscript(_ key: String) -> String { fields[key] ?? "" }

    static func read(_ request: Request, context: some AppContext) async throws -> WebForm {
        try parse(String(buffer: try await request.body.collect(upTo: 64 * 1024)), request: request)
    }

    /// The form decoded into `T` with Hummingbird's `URLEncodedFormDecoder`, after the CSRF
    /// and control-character checks; a form that does not fit `T` is a 422 naming its field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some AppContext) async throws -> T {
        let text = String(buffer: try await request.body.collect(upTo: 64 * 1024))
        _ = try parse(text, request: request)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: text)
        } catch let DecodingError.keyNotFound(key, _) {
            throw AppError(.unprocessableContent, code: "form.missing_field", title: "表单缺少必填项", field: key.stringValue)
        } catch let DecodingError.dataCorrupted(context) {
            throw AppError(.unprocessableContent, code: "form.invalid_field", title: "表单内容格式不正确", field: context.codingPath.last?.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            throw AppError(.unprocessableContent, code: "form.invalid_field", title: "表单内容格式不正确", field: context.codingPath.last?.stringValue)
        } catch {
            throw AppError(.unprocessableContent, code: "form.invalid", title: "表单内容无法识别")
        }
    }

    static func parse(_ text: String, request: Request) throws -> WebForm {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            fields[key] = value
        }
        let form = WebForm(fields: fields)
        try checkCSRF(submitted: form["csrf"], request: request)
        if let bad = fields.first(where: { TextInput.hasControlCharacter($0.key) || TextInput.hasControlCharacter($0.value) }) {
            throw AppError.controlCharacter(field: bad.key)
        }
        return form
    }

    /// Double-submit check: the form's token must equal the browser's `ov_csrf` cookie,
    /// which another site can neither read nor send (SameSite=Strict).
    static func checkCSRF(submitted: String, request: Request) throws {
        guard let cookie = request.cookies[CookieNames.csrf]?.value, !cookie.isEmpty, submitted == cookie else {
            throw AppError.csrf
        }
    }
}

enum CookieNames {
    static let session = "ov_session"
    static let csrf = "ov_csrf"
}

extension Response {
    static func redirect(to path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }
}

// Sections treat 0 and "" as false, as mustache.js does, so `{{#count}}` and
// `{{#reason}}` hide when there is nothing to show (swift-mustache treats them as true).
extension Int: @retroactive MustacheCustomRenderable {
    public var renderText: String { String(self) }
    public var isNull: Bool { self == 0 }
}

extension String: @retroactive MustacheCustomRenderable {
    public var renderText: String { self }
    public var isNull: Bool { isEmpty }
}
