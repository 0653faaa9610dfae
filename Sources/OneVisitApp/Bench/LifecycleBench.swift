import FluentKit
import SQLKit
import Foundation
import OneVisitDomain

/// The in-process lifecycle benchmark (issue 5, bench 2a): through the service layer, each
/// case is submitted → accepted → reviewed by two departments at once → approved →
/// delivered, one durable transaction per step, by `clients` concurrent clients.
/// A benchmark, not a test: it reports figures and checks that no transition was lost or doubled.
public enum LifecycleBench {
    public struct Report: Sendable {
        public var cases: Int
        public var clients: Int
        public var seconds: Double
        public var casesPerSecond: Double
        /// p50 and p99 in milliseconds per step.
        public var steps: [(name: String, p50: Double, p99: Double, count: Int)]
        public var lostOrDoubled: Int
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    public static func run(services: AppServices, cases: Int, clients: Int, progress: @escaping @Sendable (Int) -> Void) async throws -> Report {
        let db = services.persistence.db
        // 建筑工程施工许可 in Zhengzhou: 住建 and 自然资源 review in parallel, result by download.
        guard let version = try await GuideVersionModel.query(on: db).filter(\.$itemCode == "XK00221000").filter(\.$regionCode == "410100").filter(\.$state == "published").first() else {
            throw AppError(.notFound, code: "bench.item", title: "缺少演示事项，请先运行 onevisit seed --demo")
        }
        let definition = try CatalogService.decode(version.definition)
        guard let applicant = try await AccountRow.select(on: db.sql).where("login_name", .equal, "13800000001").limit(1).row(AccountRow.self) else {
            throw AppError(.notFound, code: "bench.applicant", title: "缺少演示申请人")
        }
        let departments = try await DepartmentModel.query(on: db).filter(\.$regionCode == "410100").all()
        func staff(_ role: StaffRole, _ short: String) -> Principal {
            Principal(accountID: UUID(), sessionID: UUID(), role: .staff(role), displayName: "bench", loginName: "bench.\(role.rawValue)",
                      departmentID: departments.first { $0.shortName == short }?.id, regionCode: "410100")
        }
        let person = Principal(accountID: applicant.id, sessionID: UUID(), role: .applicant, displayName: applicant.displayName, loginName: applicant.loginName, departmentID: nil, regionCode: nil)
        let clerk = staff(.windowClerk, "行政审批和政务服务管理局")
        let lead = definition.attributes.process.leadDepartment
        let head = staff(.departmentHead, lead)
        let files = Dictionary(uniqueKeysWithValues: definition.attributes.materials.enumerated().filter { $0.element.requiredFromApplicant }
            .map { ($0.offset, MultipartForm.File(fileName: "m\($0.offset).pdf", data: Data("%PDF-1.4\n% bench \($0.offset)\n%%EOF\n".utf8))) })
        let cases_ = services.cases
        let stepNames = ["submit", "accept", "review", "decide", "deliver"]
        let start = ContinuousClock.now
        let perClient = (cases + clients - 1) / clients
        let timings = try await withThrowingTaskGroup(of: [String: [Double]].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var local: [String: [Double]] = [:]
                    func time<T>(_ name: String, _ work: () async throws -> T) async throws -> T {
                        let t0 = ContinuousClock.now
                        let result = try await work()
                        let d = ContinuousClock.now - t0
                        local[name, default: []].append(d.inSeconds * 1000)
                        return result
                    }
                    for n in 0..<perClient where client * perClient + n < cases {
                        let c = try await time("submit") {
                            try await cases_.submitOnline(.init(implementationID: version.implementationID, formData: [:], files: files, deliveryMode: .download, deliveryAddress: ""), applicant: person, address: "bench")
                        }
                        let id = c.id
                        _ = try await time("accept") { try await cases_.accept(.init(caseID: id, expectedVersion: nil, actor: clerk, address: "bench"), tolerance: false) }
                        let tasks = try await CaseTaskRow.select(on: services.persistence.sql).where("case_id", .equal, id).rows(CaseTaskRow.self)
                        try await withThrowingTaskGroup(of: Double.self) { reviews in
                            for task in tasks {
                                let reviewer = Principal(accountID: task.assigneeID ?? UUID(), sessionID: UUID(), role: .staff(.departmentReviewer), displayName: "bench", loginName: "bench.reviewer",
                                                         departmentID: task.departmentID, regionCode: "410100")
                                reviews.addTask {
                                    let t0 = ContinuousClock.now
                                    // Both reviews race for the join; a version conflict is retried, as a client would.
                                    while true {
                                        do {
                                            _ = try await cases_.completeTask(.init(caseID: id, expectedVersion: nil, actor: reviewer, address: "bench"), taskID: task.id, approve: true, note: "")
                                            break
                                        } catch let error as AppError where error.code == "case.stale" {
                                            continue
                                        }
                                    }
                                    let d = ContinuousClock.now - t0
                                    return d.inSeconds * 1000
                                }
                            }
                            for try await ms in reviews { local["review", default: []].append(ms) }
                        }
                        _ = try await time("decide") { try await cases_.decide(.init(caseID: id, expectedVersion: nil, actor: head, address: "bench"), decision: .approve, reason: "") }
                        _ = try await time("deliver") { try await cases_.deliver(.init(caseID: id, expectedVersion: nil, actor: person, address: "bench"), .init(mode: .download)) }
                        progress(1)
                    }
                    return local
                }
            }
            return try await group.reduce(into: [String: [Double]]()) { all, local in
                for (k, v) in local { all[k, default: []] += v }
            }
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        // Every case delivered, with exactly one event per transition.
        let delivered = try await count(CaseRow.table, "state", CaseState.delivered, on: db.sql)
        let reviews = try await count(CaseEventRow.table, "action", "review", on: db.sql)
        let reviewed = try await count(CaseEventRow.table, "action", "reviewed", on: db.sql)
        let lost = abs(delivered - cases) + abs(reviews - 2 * cases) + abs(reviewed - cases)
        return Report(cases: cases, clients: clients, seconds: seconds, casesPerSecond: Double(cases) / seconds,
                      steps: stepNames.map { ($0, percentile(timings[$0] ?? [], 0.5), percentile(timings[$0] ?? [], 0.99), timings[$0]?.count ?? 0) }, lostOrDoubled: lost)
    }
}

extension LifecycleBench {
    /// The rows of `table` whose `column` equals `value`.
    static func count(_ table: String, _ column: String, _ value: some Encodable & Sendable, on sql: any SQLDatabase) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table).where(column, .equal, value)
            .first(decodingColumn: "n", as: Int.self) ?? 0
    }
}

extension Duration {
    /// The duration in seconds, for the benchmarks' figures.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
