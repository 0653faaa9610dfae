/// The roles a staff account can hold (DESIGN.md, "Who uses it").
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    case windowClerk
    case departmentReviewer
    case departmentHead
    case catalogAdmin
    case supervisor
    case systemAdmin
    case auditor

    /// The role's name on screens.
    public var chineseName: String {
        switch self {
        case .windowClerk: "综合窗口受理人员"
        case .departmentReviewer: "部门审核人员"
        case .departmentHead: "部门负责人"
        case .catalogAdmin: "事项目录管理员"
        case .supervisor: "电子监察人员"
        case .systemAdmin: "系统管理员"
        case .auditor: "安全审计员"
        }
    }

    /// Roles that hold the keys to accounts or the audit trail sign in with a second factor.
    public var requiresSecondFactor: Bool {
        switch self {
        case .systemAdmin, .auditor: true
        default: false
        }
    }
}

/// Who is acting: an applicant (natural or legal person) or a staff member in a role.
public enum Role: Sendable, Hashable, Codable {
    case applicant
    case staff(StaffRole)

    /// Stable code used in markup, tokens and the API (`applicant`, `windowClerk`, …).
    public var code: String {
        switch self {
        case .applicant: "applicant"
        case .staff(let role): role.rawValue
        }
    }

    public init?(code: String) {
        if code == "applicant" {
            self = .applicant
        } else if let role = StaffRole(rawValue: code) {
            self = .staff(role)
        } else {
            return nil
        }
    }

    public var chineseName: String {
        switch self {
        case .applicant: "办事群众与企业"
        case .staff(let role): role.chineseName
        }
    }

    public var isStaff: Bool {
        if case .staff = self { return true }
        return false
    }

    /// Every role, applicants first.
    public static let all: [Role] = [.applicant] + StaffRole.allCases.map(Role.staff)
}

/// A page a capability leads to; the app maps each to its site path, so the domain names
/// pages without knowing their URLs.
public enum Destination: String, Sendable, Hashable, CaseIterable {
    case account, guides, cases, progress, desk, deskNew, work
    case catalog, catalogDrift, reductions, organisation, supervision, metrics, audit
}

/// One thing a role can do, shown on its home page. `status` tells whether the
/// capability is in service yet, so a home page never links to a dead end.
public struct Capability: Sendable, Hashable {
    public enum Status: Sendable, Hashable { case available(Destination), planned }
    public let title: String
    public let summary: String
    public let clause: String
    public let status: Status

    public init(title: String, summary: String, clause: String, status: Status) {
        self.title = title
        self.summary = summary
        self.clause = clause
        self.status = status
    }
}

extension Role {
    /// What each role can do (R3.6 one login reaches every service of the role).
    public var capabilities: [Capability] {
        switch self {
        case .applicant:
            [
                .init(title: "我的账号", summary: "查看实名信息，手机号与证件号已脱敏显示", clause: "R7.1.3", status: .available(.account)),
                .init(title: "办事指南", summary: "按部门、主题或关键字查找事项，阅读材料清单、收费、时限与跑动次数", clause: "R6.1", status: .available(.guides)),
                .init(title: "我的办件", summary: "在线办理的进度、文书、时限，补交材料、缴费、下载结果", clause: "R7.3", status: .available(.cases)),
                .init(title: "办件查询", summary: "按办件编号查看每一步进度、文书与时限", clause: "R7.5", status: .available(.progress)),
                .init(title: "预约办理", summary: "预约大厅窗口时段，到期提醒，可取消", clause: "R7.2", status: .planned),
                .init(title: "咨询投诉与评价", summary: "一号咨询、投诉举报、好差评", clause: "R5.4", status: .planned),
            ]
        case .staff(.windowClerk):
            [
                .init(title: "收件与受理", summary: "核对材料，受理、容缺受理、一次性告知或不予受理，打印文书", clause: "R8.2", status: .available(.desk)),
                .init(title: "窗口收件登记", summary: "现场、信函、传真、电子邮件申请录入，申请人无需再网上录入", clause: "R8.2.5", status: .available(.deskNew)),
                .init(title: "结果发放", summary: "窗口领取核验身份，或邮寄送达", clause: "R8.7", status: .available(.desk)),
                .init(title: "首问负责", summary: "登记咨询，答复或指明去处", clause: "R6.8", status: .planned),
            ]
        case .staff(.departmentReviewer):
            [
                .init(title: "我的待办", summary: "本部门任务及每件的剩余时限", clause: "R8.4.1", status: .available(.work)),
                .init(title: "现场核查", summary: "单独或联合核查，通知申请人配合", clause: "R8.4.2", status: .available(.work)),
                .init(title: "特别程序", summary: "听证、招标、检验、专家评审等，计时暂停", clause: "R8.4.3", status: .available(.work)),
            ]
        case .staff(.departmentHead):
            [
                .init(title: "指南审定", summary: "审定本部门报审的办事指南，审定后方可发布", clause: "R5.3", status: .available(.catalog)),
                .init(title: "审批决定", summary: "准予、不予许可或上报上级，批准延期", clause: "R8.5", status: .available(.work)),
                .init(title: "延期审批", summary: "说明理由，告知申请人", clause: "R8.5", status: .planned),
                .init(title: "A/B 岗安排", summary: "每个岗位都有 B 角，确保不断岗", clause: "R6.9", status: .available(.organisation)),
            ]
        case .staff(.catalogAdmin):
            [
                .init(title: "事项目录", summary: "省市县三级事项、材料、流程、收费与时限，报审与发布", clause: "R5.3", status: .available(.catalog)),
                .init(title: "三级十同核对", summary: "比对各级实施清单的十项要素", clause: "R3.10", status: .available(.catalogDrift)),
                .init(title: "减材料减时限", summary: "各部门较法定要求减少的材料、时限与跑动", clause: "R11.3.2", status: .available(.reductions)),
                .init(title: "组织机构", summary: "区划、部门、政务服务中心与窗口", clause: "R6.4", status: .available(.organisation)),
            ]
        case .staff(.supervisor):
            [
                .init(title: "指南监督", summary: "三级十同差异、材料简化与指南完整性", clause: "R10.3", status: .available(.catalogDrift)),
                .init(title: "电子监察", summary: "超期预警、违规办理、整改跟踪", clause: "R10.2", status: .planned),
                .init(title: "投诉与好差评", summary: "投诉处理、差评回访与整改", clause: "R9.2", status: .planned),
                .init(title: "考核指标", summary: "按时办结率、当场受理率、网上办结率与超期件，可下钻导出", clause: "R11.3.4", status: .available(.supervision)),
            ]
        case .staff(.systemAdmin):
            [
                .init(title: "组织机构", summary: "区划、部门、大厅、窗口与岗位", clause: "R6.4", status: .available(.organisation)),
                .init(title: "运行监控", summary: "健康检查与运行指标", clause: "R7.1.7", status: .available(.metrics)),
            ]
        case .staff(.auditor):
            [
                .init(title: "审计日志", summary: "查看每一次写操作：何人、何时、何事、何处", clause: "R6.10", status: .available(.audit)),
                .init(title: "完整性校验", summary: "校验审计日志哈希链，找出第一处断裂", clause: "R7.1.6", status: .available(.audit)),
            ]
        }
    }
}
