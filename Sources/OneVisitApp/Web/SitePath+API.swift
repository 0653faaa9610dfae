import Foundation

extension SitePath {
    /// The paths of the API's operations (`openapi.json`), all under `/api/v1`. Routes are
    /// registered from these values, so a test that compares the document with the router
    /// compares it with this enum.
    enum API {
        /// The OpenAPI document itself.
        enum Document: SitePathProtocol, Hashable {
            case openAPI

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + ["openapi.json"]
            }
        }

        enum Accounts: SitePathProtocol, Hashable {
            case login
            case logout
            case me
            case applicants
            case claimCode(UUID)

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + {
                    switch self {
                    case .login: ["auth", "login"]
                    case .logout: ["auth", "logout"]
                    case .me: ["me"]
                    case .applicants: ["applicants"]
                    case .claimCode(let id): ["applicants", parameter("id", id.uuidString), "claim-code"]
                    }
                }()
            }
        }

        enum Organisation: SitePathProtocol, Hashable {
            case overview
            case regions

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + {
                    switch self {
                    case .overview: ["organisation"]
                    case .regions: ["organisation", "regions"]
                    }
                }()
            }
        }

        enum Audit: SitePathProtocol, Hashable {
            case records
            case verify

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + {
                    switch self {
                    case .records: ["audit", "records"]
                    case .verify: ["audit", "verify"]
                    }
                }()
            }
        }

        enum Catalog: SitePathProtocol, Hashable {
            case guides
            case guide(UUID)
            case reductions
            case drift
            case entries
            case items
            case itemVersions(String)
            case itemImplementations(String)
            case implementationVersions(UUID)
            case guideVersionCheck(UUID)
            case guideVersionTransitions(UUID)
            case files

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + {
                    switch self {
                    case .guides: ["guides"]
                    case .guide(let id): ["guides", parameter("id", id.uuidString)]
                    case .reductions: ["catalog", "reductions"]
                    case .drift: ["catalog", "drift"]
                    case .entries: ["catalog", "entries"]
                    case .items: ["catalog", "items"]
                    case .itemVersions(let code): ["catalog", "items", parameter("code", code), "versions"]
                    case .itemImplementations(let code): ["catalog", "items", parameter("code", code), "implementations"]
                    case .implementationVersions(let id): ["catalog", "implementations", parameter("id", id.uuidString), "versions"]
                    case .guideVersionCheck(let id): ["catalog", "guide-versions", parameter("id", id.uuidString), "check"]
                    case .guideVersionTransitions(let id): ["catalog", "guide-versions", parameter("id", id.uuidString), "transitions"]
                    case .files: ["catalog", "files"]
                    }
                }()
            }
        }

        enum Cases: SitePathProtocol, Hashable {
            /// A step on one case: `POST /api/v1/cases/{id}/<step>`.
            enum Step: String, Sendable, Hashable {
                case accept, notice, refuse, resubmit, withdraw, suspend, resume, decide, extend, visits, deliver, result
                case payAtWindow = "pay-window"
            }

            case list
            case window
            case detail(UUID)
            case step(UUID, Step)
            case completeTask(UUID, UUID)
            case materialFile(UUID, UUID)
            case paymentCallback
            case progress

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + {
                    switch self {
                    case .list: ["cases"]
                    case .window: ["cases", "window"]
                    case .detail(let id): ["cases", parameter("id", id.uuidString)]
                    case .step(let id, let step): ["cases", parameter("id", id.uuidString), step.rawValue]
                    case .completeTask(let id, let task): ["cases", parameter("id", id.uuidString), "tasks", parameter("task", task.uuidString), "complete"]
                    case .materialFile(let id, let material):
                        ["cases", parameter("id", id.uuidString), "materials", parameter("material", material.uuidString), "file"]
                    case .paymentCallback: ["payments", "callback"]
                    case .progress: ["progress"]
                    }
                }()
            }
        }

        enum Supervision: SitePathProtocol, Hashable {
            case indicators

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + ["supervision", "kpis"]
            }
        }

        /// 办理结果公示 (R8.5.6): public, no sign-in.
        enum Publicity: SitePathProtocol, Hashable {
            case results

            func segments(_ parameter: (String, String) -> String) -> [String] {
                API.prefix + ["publicity"]
            }
        }

        /// `/api/v1`: the version is part of every path, so a v2 can stand beside it.
        static let prefix = ["api", "v1"]
    }
}
