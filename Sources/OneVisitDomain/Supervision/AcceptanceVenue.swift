/// Where a case was accepted (受理), as R11.3.4 (a) 集中受理率 needs it.
///
/// DB41/T 1700.1—2018 uses 集中 for the services of the departments drawn together into the
/// service centre (3.7 只进一扇门: 推动各部门的政务服务事项向政务服务中心集中 … "前台综合受理，
/// 后台分类审批、综合窗口出件"), accepted at its comprehensive windows (6.4 一窗受理制度: 分类设置
/// 综合受理窗口，实行一窗受理; 8.1.1 综合受理窗口 … 一窗受理、按责转办、统一出件), and online through
/// the province's unified platform (5.2 全省一体化的网上政务服务平台 … 网上申请、综合受理). So an
/// acceptance is concentrated when it happened at a comprehensive window or on the online
/// platform, and not concentrated when a department's own window (部门专窗) took it.
public enum AcceptanceVenue: String, Sendable, Codable, CaseIterable {
    /// At a comprehensive window (综合受理窗口) of the service centre (R6.4, standard 6.4, 8.1.1).
    case comprehensiveWindow = "comprehensive"
    /// On the online platform: the application came in online (standard 5.2).
    case online
    /// At one department's own window (部门专窗).
    case departmentWindow = "department"

    /// Counts towards 集中受理 (R11.3.4 a).
    public var isConcentrated: Bool { self != .departmentWindow }

    public var chineseName: String {
        switch self {
        case .comprehensiveWindow: "综合受理窗口"
        case .online: "网上统一受理"
        case .departmentWindow: "部门专窗"
        }
    }

    /// The venue of an acceptance: an online application is accepted on the platform, whoever
    /// records it; any other by the window the accepting clerk holds a post at (`windowKinds`:
    /// the `kind` of each such window, "comprehensive" or a department's). A clerk posted at a
    /// department window at all counts as a department window (never claim a concentration that
    /// is not certain); no window at all (the jobs' deemed acceptance, a clerk without a window
    /// post) is not recorded: nil, which counts as accepted but not concentrated.
    public static func of(channel: CaseChannel, windowKinds: [String]) -> AcceptanceVenue? {
        if channel == .online { return .online }
        guard !windowKinds.isEmpty else { return nil }
        return windowKinds.allSatisfy { $0 == "comprehensive" } ? .comprehensiveWindow : .departmentWindow
    }

    /// The definition, as the supervision page and the export show it.
    public static let definition = "集中受理率 = 在综合受理窗口或网上统一受理的件数 ÷ 受理件数；在部门专窗受理或受理地点未记录的计入分母、不计入分子（DB41/T 1700.1—2018 3.7、5.2、6.4、8.1.1、11.3.4 a）"
}
