import Foundation

extension SitePath {
    /// The case pages: applying, the case itself and its steps, the window desk, the
    /// department workbench, the public progress query and the simulated gateway.
    enum Cases: SitePathProtocol, Hashable {
        /// The applicant's form for an implementation (R7.3).
        case apply(UUID)
        /// The applicant's cases; staff are sent to their queue.
        case list
        case detail(UUID)
        case document(UUID, UUID)
        case materialFile(UUID, UUID)
        /// The result file; POST records delivery by download (R8.7).
        case result(UUID)
        /// A step of the case posted from its page.
        case step(UUID, Step)
        case taskStep(UUID, UUID, TaskStep)
        /// The public progress query (R7.5).
        case progress
        /// The comprehensive window's queue and its registration form (R8.2).
        case desk
        case deskNew
        /// The department workbench (R8.3).
        case work
        /// The simulated payment gateway (demo mode only).
        case gateway(String)
        case gatewayConfirm(String)

        /// The steps a case page posts, each the name of its path.
        enum Step: String, CaseIterable, Sendable {
            case withdraw, resubmit, supply, pay, accept, notice, refuse, visit, deliver, suspend, resume, decide, extend
            case payWindow = "pay-window"
        }

        enum TaskStep: String, CaseIterable, Sendable {
            case complete, inspection
        }

        func segments(_ parameter: (String, String) -> String) -> [String] {
            switch self {
            case .apply(let id): ["apply", parameter("id", id.uuidString)]
            case .list: ["cases"]
            case .detail(let id): ["cases", parameter("id", id.uuidString)]
            case .document(let id, let doc): ["cases", parameter("id", id.uuidString), "documents", parameter("doc", doc.uuidString)]
            case .materialFile(let id, let material): ["cases", parameter("id", id.uuidString), "materials", parameter("material", material.uuidString), "file"]
            case .result(let id): ["cases", parameter("id", id.uuidString), "result"]
            case .step(let id, let step): ["cases", parameter("id", id.uuidString), step.rawValue]
            case .taskStep(let id, let task, let step): ["cases", parameter("id", id.uuidString), "tasks", parameter("task", task.uuidString), step.rawValue]
            case .progress: ["progress"]
            case .desk: ["desk"]
            case .deskNew: ["desk", "new"]
            case .work: ["work"]
            case .gateway(let order): ["pay", parameter("order", order)]
            case .gatewayConfirm(let order): ["pay", parameter("order", order), "confirm"]
            }
        }
    }
}
