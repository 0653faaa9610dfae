import FluentKit
import Foundation
import HummingbirdBcrypt
import OneVisitDomain

/// The demo data of `onevisit seed --demo`: Henan province, Zhengzhou and Kaifeng with
/// one county each (GB/T 2260 codes), the usual departments under their real names with
/// who reconsiders their acts (`organs`), each region's people's government, a hall per city with
/// comprehensive windows, staff of every role with A/B posts, and two applicants.
public enum DemoSeed {
    public static let password = "Demo@2026"
    /// Raw HMAC key bytes of the demo admins' TOTP (RFC 6238, SHA-1, 6 digits, 30 s).
    public static let totpSecret = "onevisit-demo-totp"

    public struct Login: Sendable {
        public var username: String
        public var role: Role
        public var name: String
        public var needsTOTP: Bool
    }

    /// GB/T 2260 code, name, and the people's government as it is named (the reconsideration
    /// organ for its departments, 行政复议法第二十四条).
    static let regions: [(code: String, name: String, government: String)] = [
        ("410000", "河南省", "河南省人民政府"), ("410100", "郑州市", "郑州市人民政府"), ("410122", "中牟县", "中牟县人民政府"),
        ("410200", "开封市", "开封市人民政府"), ("410221", "杞县", "杞县人民政府"),
    ]

    /// (short name, field): the duty's key, the same in every region, which guides, staff and
    /// posts use; the organ's real name in each region is in `organs`.
    static let departments: [(String, String)] = [
        ("市场监督管理局", "市场监管"), ("自然资源和规划局", "自然资源"), ("住房和城乡建设局", "住建"), ("公安局", "公安"),
        ("人力资源和社会保障局", "人社"), ("卫生健康委员会", "卫健"), ("民政局", "民政"), ("交通运输局", "交通"),
        ("税务局", "税务"), ("行政审批和政务服务管理局", "行政审批"),
    ]

    /// An organ as it is really named, with who reconsiders its acts (R8.5.5): the government
    /// at the same level for an ordinary department, `higher` for 税务 and vertically led bodies.
    struct Organ: Sendable {
        var name: String
        var kind: DepartmentKind = .ordinary
        var higher: String? = nil
    }

    /// The real names per region, written out: a province names most departments 厅 (河南省自然资源厅),
    /// cities and counties 局; tax bureaus are 国家税务总局's, reconsidered one level up.
    static let organs: [String: [String: Organ]] = [
        "410000": [
            "市场监督管理局": .init(name: "河南省市场监督管理局"), "自然资源和规划局": .init(name: "河南省自然资源厅"),
            "住房和城乡建设局": .init(name: "河南省住房和城乡建设厅"), "公安局": .init(name: "河南省公安厅"),
            "人力资源和社会保障局": .init(name: "河南省人力资源和社会保障厅"), "卫生健康委员会": .init(name: "河南省卫生健康委员会"),
            "民政局": .init(name: "河南省民政厅"), "交通运输局": .init(name: "河南省交通运输厅"),
            "税务局": .init(name: "国家税务总局河南省税务局", kind: .tax, higher: "国家税务总局"),
            "行政审批和政务服务管理局": .init(name: "河南省行政审批和政务服务管理局"),
        ],
        "410100": [
            "市场监督管理局": .init(name: "郑州市市场监督管理局"), "自然资源和规划局": .init(name: "郑州市自然资源和规划局"),
            "住房和城乡建设局": .init(name: "郑州市住房和城乡建设局"), "公安局": .init(name: "郑州市公安局"),
            "人力资源和社会保障局": .init(name: "郑州市人力资源和社会保障局"), "卫生健康委员会": .init(name: "郑州市卫生健康委员会"),
            "民政局": .init(name: "郑州市民政局"), "交通运输局": .init(name: "郑州市交通运输局"),
            "税务局": .init(name: "国家税务总局郑州市税务局", kind: .tax, higher: "国家税务总局河南省税务局"),
            "行政审批和政务服务管理局": .init(name: "郑州市行政审批和政务服务管理局"),
        ],
        "410122": [
            "市场监督管理局": .init(name: "中牟县市场监督管理局"), "自然资源和规划局": .init(name: "中牟县自然资源局"),
            "住房和城乡建设局": .init(name: "中牟县住房和城乡建设局"), "公安局": .init(name: "中牟县公安局"),
            "人力资源和社会保障局": .init(name: "中牟县人力资源和社会保障局"), "卫生健康委员会": .init(name: "中牟县卫生健康委员会"),
            "民政局": .init(name: "中牟县民政局"), "交通运输局": .init(name: "中牟县交通运输局"),
            "税务局": .init(name: "国家税务总局中牟县税务局", kind: .tax, higher: "国家税务总局郑州市税务局"),
            "行政审批和政务服务管理局": .init(name: "中牟县行政审批和政务服务管理局"),
        ],
        "410200": [
            "市场监督管理局": .init(name: "开封市市场监督管理局"), "自然资源和规划局": .init(name: "开封市自然资源和规划局"),
            "住房和城乡建设局": .init(name: "开封市住房和城乡建设局"), "公安局": .init(name: "开封市公安局"),
            "人力资源和社会保障局": .init(name: "开封市人力资源和社会保障局"), "卫生健康委员会": .init(name: "开封市卫生健康委员会"),
            "民政局": .init(name: "开封市民政局"), "交通运输局": .init(name: "开封市交通运输局"),
            "税务局": .init(name: "国家税务总局开封市税务局", kind: .tax, higher: "国家税务总局河南省税务局"),
            "行政审批和政务服务管理局": .init(name: "开封市行政审批和政务服务管理局"),
        ],
        "410221": [
            "市场监督管理局": .init(name: "杞县市场监督管理局"), "自然资源和规划局": .init(name: "杞县自然资源局"),
            "住房和城乡建设局": .init(name: "杞县住房和城乡建设局"), "公安局": .init(name: "杞县公安局"),
            "人力资源和社会保障局": .init(name: "杞县人力资源和社会保障局"), "卫生健康委员会": .init(name: "杞县卫生健康委员会"),
            "民政局": .init(name: "杞县民政局"), "交通运输局": .init(name: "杞县交通运输局"),
            "税务局": .init(name: "国家税务总局杞县税务局", kind: .tax, higher: "国家税务总局开封市税务局"),
            "行政审批和政务服务管理局": .init(name: "杞县行政审批和政务服务管理局"),
        ],
    ]

    /// The real name of the duty `short` in the region named `region` ("" when there is none).
    static func departmentName(region: String, short: String) -> String {
        guard let code = regions.first(where: { $0.name == region })?.code else { return "" }
        return organs[code]?[short]?.name ?? ""
    }

    struct StaffSpec {
        var username: String
        var name: String
        var role: StaffRole
        var region: String
        var department: String
    }

    static let staff: [StaffSpec] = [
        .init(username: "clerk.zz", name: "王晓丽", role: .windowClerk, region: "410100", department: "行政审批和政务服务管理局"),
        .init(username: "clerk.zz.b", name: "赵敏", role: .windowClerk, region: "410100", department: "行政审批和政务服务管理局"),
        .init(username: "reviewer.zz", name: "李建国", role: .departmentReviewer, region: "410100", department: "市场监督管理局"),
        .init(username: "reviewer.zz.b", name: "孙海燕", role: .departmentReviewer, region: "410100", department: "市场监督管理局"),
        .init(username: "reviewer.zz.zj", name: "周立新", role: .departmentReviewer, region: "410100", department: "住房和城乡建设局"),
        .init(username: "head.zz.zj", name: "许文博", role: .departmentHead, region: "410100", department: "住房和城乡建设局"),
        .init(username: "head.zz", name: "陈志强", role: .departmentHead, region: "410100", department: "市场监督管理局"),
        .init(username: "reviewer.zz.zr", name: "吴磊", role: .departmentReviewer, region: "410100", department: "自然资源和规划局"),
        .init(username: "head.zz.zr", name: "黄丽", role: .departmentHead, region: "410100", department: "自然资源和规划局"),
        .init(username: "reviewer.zz.sw", name: "冯涛", role: .departmentReviewer, region: "410100", department: "税务局"),
        .init(username: "clerk.kf", name: "刘芳", role: .windowClerk, region: "410200", department: "行政审批和政务服务管理局"),
        .init(username: "reviewer.kf", name: "杨帆", role: .departmentReviewer, region: "410200", department: "市场监督管理局"),
        .init(username: "catalog.ha", name: "郑伟", role: .catalogAdmin, region: "410000", department: "行政审批和政务服务管理局"),
        .init(username: "supervisor.ha", name: "高峰", role: .supervisor, region: "410000", department: "行政审批和政务服务管理局"),
        .init(username: "admin.ha", name: "马骏", role: .systemAdmin, region: "410000", department: "行政审批和政务服务管理局"),
        .init(username: "auditor.ha", name: "何静", role: .auditor, region: "410000", department: "行政审批和政务服务管理局"),
    ]

    /// The logins `make run` prints and README lists.
    public static var logins: [Login] {
        staff.filter { ["clerk.zz", "reviewer.zz", "head.zz", "reviewer.zz.zr", "reviewer.zz.sw", "head.zz.zr", "catalog.ha", "supervisor.ha", "admin.ha", "auditor.ha"].contains($0.username) }
            .map { Login(username: $0.username, role: .staff($0.role), name: $0.name, needsTOTP: $0.role.requiresSecondFactor) }
            + [Login(username: "13800000001", role: .applicant, name: "张三（自然人）", needsTOTP: false),
               Login(username: "91410100MA44XY1K2N", role: .applicant, name: "郑州示范食品有限公司（法人）", needsTOTP: false)]
    }

    /// Loads the demo data unless it is there already; returns false when it was.
    public static func load(into services: AppServices, includeCatalog: Bool = true, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Bool {
        let db = services.persistence.db
        var loaded = false
        if try await RegionModel.find("410000", on: db) == nil {
            try await loadOrganisation(into: services, progress: progress)
            loaded = true
        }
        // Loaded apart, so a catalog that failed half-way is finished by the next run.
        if includeCatalog, try await BaseItemModel.query(on: db).count() == 0 {
            _ = try await DemoCatalog.load(into: services, progress: progress)
            loaded = true
        }
        return loaded
    }

    static func loadOrganisation(into services: AppServices, progress: @escaping @Sendable (String) -> Void) async throws {
        progress("口令散列")
        let hash = try await services.accounts.hashPassword(password)
        let now = services.clock.now
        try await services.persistence.transaction { tx in
            func audit(_ type: String, _ id: String, _ detail: String) async throws {
                try await AuditLog.append(.init(actor: "system:seed", action: "seed.create", objectType: type, objectID: id, address: "local", detail: detail), at: now, on: tx)
            }
            for (code, name, government) in regions {
                let region = RegionCode(code)!
                try await RegionModel(code: code, name: name, level: region.level.rawValue, parentCode: region.parent?.value, governmentName: government).create(on: tx)
                try await audit("region", code, name)
            }
            progress("行政区划 \(regions.count) 个")
            var departmentIDs: [String: UUID] = [:]
            for (code, _, _) in regions {
                for (short, field) in departments {
                    guard let organ = organs[code]?[short] else { continue }
                    let department = DepartmentModel(regionCode: code, name: organ.name, field: field, shortName: short, kind: organ.kind, higherDepartment: organ.higher)
                    try await department.create(on: tx)
                    departmentIDs["\(code)/\(short)"] = department.id!
                    try await audit("department", department.id!.uuidString, department.name)
                }
            }
            progress("政务服务部门 \(departmentIDs.count) 个")
            var accountIDs: [String: UUID] = [:]
            for spec in staff {
                let account = AccountRow(loginName: spec.username, passwordHash: hash, role: spec.role.rawValue, displayName: spec.name,
                                         departmentID: departmentIDs["\(spec.region)/\(spec.department)"], regionCode: spec.region,
                                         totpSecret: spec.role.requiresSecondFactor ? totpSecret : nil, createdAt: now)
                try await account.insert(on: tx.sql)
                accountIDs[spec.username] = account.id
                try await audit("account", account.id.uuidString, "\(spec.role.rawValue) \(spec.username)")
            }
            let person = AccountRow(loginName: "13800000001", passwordHash: hash, role: Role.applicant.code, displayName: "张三",
                                    applicantType: "person", idNumber: "410102199001011234", phone: "13800000001", createdAt: now)
            try await person.insert(on: tx.sql)
            try await audit("account", person.id.uuidString, "applicant person")
            let company = AccountRow(loginName: "91410100MA44XY1K2N", passwordHash: hash, role: Role.applicant.code, displayName: "郑州示范食品有限公司",
                                     applicantType: "organisation", creditCode: "91410100MA44XY1K2N", legalRepresentative: "李明", contactName: "王芳",
                                     phone: "13900000002", createdAt: now)
            try await company.insert(on: tx.sql)
            try await audit("account", company.id.uuidString, "applicant organisation")
            progress("账号 \(accountIDs.count + 2) 个")

            let centres: [(region: String, name: String, address: String, phone: String, windows: [(String, String, String?)])] = [
                ("410100", "郑州市政务服务中心", "郑州市郑东新区（演示数据）", "0371-12345", [
                    ("A01", "企业开办与市场准入", nil), ("A02", "企业开办与市场准入", nil), ("A03", "工程建设项目审批", nil),
                    ("A04", "社会事务与民生保障", nil), ("B01", "税费办理", "税务局"),
                ]),
                ("410200", "开封市民之家", "开封市城乡一体化示范区（演示数据）", "0371-12345", [
                    ("A01", "企业开办与市场准入", nil), ("A02", "工程建设项目审批", nil), ("A03", "社会事务与民生保障", nil),
                ]),
            ]
            var windowIDs: [String: UUID] = [:]
            for spec in centres {
                let centre = ServiceCentreModel(regionCode: spec.region, name: spec.name, address: spec.address, phone: spec.phone,
                                                hours: "工作日 9:00–12:00，13:00–17:00；周六上午 9:00–12:00 预约服务")
                try await centre.create(on: tx)
                try await audit("service_centre", centre.id!.uuidString, centre.name)
                for (number, field, department) in spec.windows {
                    let window = WindowModel(centreID: centre.id!, number: number, kind: department == nil ? "comprehensive" : "single",
                                             field: field, departmentID: department.flatMap { departmentIDs["\(spec.region)/\($0)"] })
                    try await window.create(on: tx)
                    windowIDs["\(spec.region)/\(number)"] = window.id!
                    try await audit("window", window.id!.uuidString, "\(spec.name) \(number)")
                }
            }
            progress("政务服务中心 \(centres.count) 个，窗口 \(windowIDs.count) 个")
            let posts: [PostModel] = [
                PostModel(name: "综合受理（企业开办）", departmentID: nil, windowID: windowIDs["410100/A01"], holderAID: accountIDs["clerk.zz"], holderBID: accountIDs["clerk.zz.b"]),
                PostModel(name: "综合受理（企业开办）", departmentID: nil, windowID: windowIDs["410100/A02"], holderAID: accountIDs["clerk.zz.b"], holderBID: accountIDs["clerk.zz"]),
                PostModel(name: "食品经营许可审查", departmentID: departmentIDs["410100/市场监督管理局"], windowID: nil, holderAID: accountIDs["reviewer.zz"], holderBID: accountIDs["reviewer.zz.b"]),
                PostModel(name: "市场监管审批决定", departmentID: departmentIDs["410100/市场监督管理局"], windowID: nil, holderAID: accountIDs["head.zz"], holderBID: nil),
                PostModel(name: "施工许可审查", departmentID: departmentIDs["410100/住房和城乡建设局"], windowID: nil, holderAID: accountIDs["reviewer.zz.zj"], holderBID: accountIDs["head.zz"]),
                PostModel(name: "综合受理", departmentID: nil, windowID: windowIDs["410200/A01"], holderAID: accountIDs["clerk.kf"], holderBID: nil),
                PostModel(name: "不动产登记审核", departmentID: departmentIDs["410100/自然资源和规划局"], windowID: nil, holderAID: accountIDs["reviewer.zz.zr"], holderBID: accountIDs["head.zz.zr"]),
                PostModel(name: "不动产交易税费核定", departmentID: departmentIDs["410100/税务局"], windowID: nil, holderAID: accountIDs["reviewer.zz.sw"], holderBID: nil),
            ]
            for post in posts {
                try await post.create(on: tx)
                try await audit("post", post.id!.uuidString, post.name)
            }
            progress("岗位 \(posts.count) 个")
        }
    }
}
