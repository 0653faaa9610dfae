import Foundation
import OneVisitDomain

extension SitePath {
    /// The public front: the portal and the static files.
    enum Site: SitePathProtocol, Hashable {
        case portal
        /// The folder `FileMiddleware` serves.
        case staticFiles
        case stylesheet

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .portal: []
            case .staticFiles: ["static"]
            case .stylesheet: ["static", "site.css"]
            }
        }
    }

    /// 办理结果公示 (R8.5.6): the public register of granted decisions, no sign-in.
    enum Publicity: SitePathProtocol, Hashable {
        case results

        func segments(_ parameter: (String, String) -> String) -> [String] { ["publicity"] }
    }

    /// Health and metrics, for load balancers and Prometheus (R7.1.7).
    enum Monitoring: SitePathProtocol, Hashable {
        case health, liveness, metrics

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .health: ["healthz"]
            case .liveness: ["livez"]
            case .metrics: ["metrics"]
            }
        }
    }

    /// Registration, sign-in, the home and account pages, and the clerk's claim codes.
    enum Accounts: SitePathProtocol, Hashable {
        case register
        case registerOrganisation
        case login
        case logout
        case home
        case account
        case claimCode(UUID)

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .register: ["register"]
            case .registerOrganisation: ["register", "organisation"]
            case .login: ["login"]
            case .logout: ["logout"]
            case .home: ["home"]
            case .account: ["account"]
            case .claimCode(let id): ["applicants", parameter("id", id.uuidString), "claim-code"]
            }
        }
    }

    /// The public guides and the catalog admin's pages (R5.3, R6.1).
    enum Catalog: SitePathProtocol, Hashable {
        case guides
        case reductions
        case guide(UUID)
        /// A blank form or sample stored with a guide.
        case download(String, String)
        case entries
        case transition
        case drift

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .guides: ["guides"]
            case .reductions: ["guides", "reductions"]
            case .guide(let id): ["guides", parameter("id", id.uuidString)]
            case .download(let sha, let name): ["downloads", parameter("sha", sha), parameter("name", name)]
            case .entries: ["catalog"]
            case .transition: ["catalog", "transition"]
            case .drift: ["catalog", "drift"]
            }
        }
    }

    enum Organisation: SitePathProtocol, Hashable {
        case overview

        func segments(_ parameter: (String, String) -> String) -> [String] { ["organisation"] }
    }

    enum Audit: SitePathProtocol, Hashable {
        case trail

        func segments(_ parameter: (String, String) -> String) -> [String] { ["audit"] }
    }

    /// The supervisor's indicators, their CSV and the drill-down to a department's cases (R11.3.4).
    enum Supervision: SitePathProtocol, Hashable {
        case dashboard
        case export
        case department(UUID)

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .dashboard: ["supervision"]
            case .export: ["supervision.csv"]
            case .department(let id): ["supervision", "departments", parameter("id", id.uuidString)]
            }
        }
    }
}

extension SitePath {
    /// The GET pages a sign-in may return to: the site's pages less sign-in, registration,
    /// downloads, exports and the API.
    static let returnPages: [any SitePathProtocol] = [
        Accounts.home, Accounts.account, Accounts.claimCode(.routePlaceholder),
        Catalog.guides, Catalog.reductions, Catalog.guide(.routePlaceholder), Catalog.entries, Catalog.drift,
        Organisation.overview, Audit.trail, Supervision.dashboard, Supervision.department(.routePlaceholder),
        Cases.list, Cases.detail(.routePlaceholder), Cases.document(.routePlaceholder, .routePlaceholder),
        Cases.materialFile(.routePlaceholder, .routePlaceholder), Cases.result(.routePlaceholder),
        Cases.apply(.routePlaceholder), Cases.progress, Cases.desk, Cases.deskNew, Cases.work, Cases.gateway(.routePlaceholder),
    ]

    /// Whether `path` (no query) is one of `returnPages`, a parameter standing for any one segment.
    static func isReturnPage(_ path: Substring) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return returnPages.contains { $0.matches(segments) }
    }
}

extension SitePathProtocol {
    /// Whether `segments` are this path's, any segment but `.` and `..` filling a parameter.
    func matches(_ segments: [String]) -> Bool {
        let pattern = self.segments { _, _ in "" }
        let names = self.segments { name, _ in ":" + name }
        guard pattern.count == segments.count else { return false }
        return zip(zip(pattern, names), segments).allSatisfy { expected, segment in
            expected.0 == expected.1 ? expected.0 == segment : !segment.isEmpty && segment != "." && segment != ".."
        }
    }
}

/// The links every page's layout and most pages need, from `SitePath`: templates read them
/// as `{{layout.links.…}}`, so no template writes a path.
struct SiteLinks: Sendable {
    static let shared = SiteLinks()

    let portal = SitePath.Site.portal.link
    let stylesheet = SitePath.Site.stylesheet.link
    let home = SitePath.Accounts.home.link
    let login = SitePath.Accounts.login.link
    let logout = SitePath.Accounts.logout.link
    let register = SitePath.Accounts.register.link
    let registerOrganisation = SitePath.Accounts.registerOrganisation.link
    let guides = SitePath.Catalog.guides.link
    let reductions = SitePath.Catalog.reductions.link
    let catalog = SitePath.Catalog.entries.link
    let catalogTransition = SitePath.Catalog.transition.link
    let drift = SitePath.Catalog.drift.link
    let supervision = SitePath.Supervision.dashboard.link
    let progress = SitePath.Cases.progress.link
    let publicity = SitePath.Publicity.results.link
}

extension Destination {
    /// The page a home-page tile leads to.
    var sitePath: any SitePathProtocol {
        switch self {
        case .account: SitePath.Accounts.account
        case .guides: SitePath.Catalog.guides
        case .reductions: SitePath.Catalog.reductions
        case .catalog: SitePath.Catalog.entries
        case .catalogDrift: SitePath.Catalog.drift
        case .organisation: SitePath.Organisation.overview
        case .audit: SitePath.Audit.trail
        case .supervision: SitePath.Supervision.dashboard
        case .metrics: SitePath.Monitoring.metrics
        case .cases: SitePath.Cases.list
        case .progress: SitePath.Cases.progress
        case .desk: SitePath.Cases.desk
        case .deskNew: SitePath.Cases.deskNew
        case .work: SitePath.Cases.work
        }
    }
}
