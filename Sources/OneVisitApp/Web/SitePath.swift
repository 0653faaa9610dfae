import Foundation
import Hummingbird

/// A path of the site. One value builds both the route its handler is registered on and
/// every link, redirect and form action that points to it (the pattern of
/// SwiftPackageIndex-Server's `SiteURL`), so no path is written as a string anywhere else.
///
/// Each page group declares its paths in its own enum under the `SitePath` namespace
/// (`SitePath.Cases`, `SitePath.Accounts`, …; the API's under `SitePath.API`).
protocol SitePathProtocol: Sendable {
    /// The path's segments. `parameter(name, value)` is a parameter: its value in a link,
    /// `:name` in a route.
    func segments(_ parameter: (_ name: String, _ value: String) -> String) -> [String]
}

/// The namespace of every path of the site.
enum SitePath {}

extension SitePathProtocol {
    /// The link: `/cases/6F…/accept`, parameters percent-encoded.
    var link: String {
        "/" + segments { _, value in value.addingPercentEncoding(withAllowedCharacters: SitePathEncoding.segment) ?? value }.joined(separator: "/")
    }

    /// The link with a query; pairs with an empty value are left out.
    func link(query: [(String, String)]) -> String {
        let pairs = query.filter { !$0.1.isEmpty }.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: SitePathEncoding.queryValue) ?? value)"
        }
        return pairs.isEmpty ? link : link + "?" + pairs.joined(separator: "&")
    }

    /// The pattern the router matches: `/cases/:id/accept`.
    var route: RouterPath { RouterPath("/" + segments { name, _ in ":" + name }.joined(separator: "/")) }
}

/// A value a path parameter stands for, and the placeholder used when only the route is wanted.
protocol SitePathParameter {
    static var routePlaceholder: Self { get }
}

extension UUID: SitePathParameter {
    static let routePlaceholder = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}

extension String: SitePathParameter {
    static let routePlaceholder = "_"
}

extension SitePath {
    /// The route of a path with one parameter, from its case: `SitePath.route(SitePath.Cases.detail)`.
    static func route<A: SitePathParameter, P: SitePathProtocol>(_ make: (A) -> P) -> RouterPath {
        make(A.routePlaceholder).route
    }

    /// The route of a path with two parameters.
    static func route<A: SitePathParameter, B: SitePathParameter, P: SitePathProtocol>(_ make: (A, B) -> P) -> RouterPath {
        make(A.routePlaceholder, B.routePlaceholder).route
    }
}

enum SitePathEncoding {
    static let segment: CharacterSet = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))
    static let queryValue: CharacterSet = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#"))
}

extension Response {
    /// 303 See Other to a page of the site (after a form post).
    static func redirect(to path: some SitePathProtocol) -> Response {
        .redirect(to: path.link)
    }
}

extension SitePath {
    /// Whether a request path is under the API's root (answered in problem+json, signed in
    /// by bearer token) rather than a page.
    static func isAPI(_ path: String) -> Bool {
        path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) == API.prefix.first
    }
}
