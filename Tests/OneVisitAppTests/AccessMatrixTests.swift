import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// G8: who may do what, read from the policies — `CasePolicy.rule(for:)` for every step of a
/// case, `AccessPolicy.roles(for:)` for everything else — and tried through the API: every
/// role the policy leaves out is refused, and for each role it lets in, a person of that
/// role in another city, another department or (for applicants) not the owner is refused too.
@Suite("Access matrix")
struct AccessMatrixTests {
    /// What the policy calls each operation of the API document.
    enum Guard {
        case open
        case steps([CaseOperation])
        case permissions([Permission])

        var roles: Set<Role> {
            switch self {
            case .open: []
            case .steps(let operations): operations.reduce(into: Set<Role>()) { $0.formUnion(CasePolicy.roles(for: $1)) }
            case .permissions(let permissions): permissions.reduce(into: Set<Role>()) { $0.formUnion(AccessPolicy.roles(for: $1)) }
            }
        }
    }

    static let guards: [String: Guard] = [
        "registerApplicant": .open, "login": .open, "getOpenAPI": .open, "searchGuides": .open, "getGuide": .open,
        "listReductions": .open, "listPublicity": .open, "queryProgress": .open, "paymentCallback": .open,
        "logout": .permissions([.signedIn]), "getMe": .permissions([.signedIn]),
        "issueClaimCode": .permissions([.windowDesk]),
        "listAuditRecords": .permissions([.auditRead]), "verifyAudit": .permissions([.auditRead]),
        "listCases": .permissions([.applicantCases, .caseLists]), "submitCase": .permissions([.applicantCases]),
        "getDriftReport": .permissions([.catalogDrift]),
        "listCatalogEntries": .permissions([.catalogRead]), "checkGuideVersion": .permissions([.catalogRead]),
        "transitionGuide": .permissions([.catalogRead]),
        "uploadFile": .permissions([.catalogEdit]), "saveGuideDraft": .permissions([.catalogEdit]), "createItem": .permissions([.catalogEdit]),
        "implementItem": .permissions([.catalogEdit]), "reviseItem": .permissions([.catalogEdit]),
        "getOrganisation": .permissions([.organisationRead]), "listRegions": .permissions([.organisationRead]),
        "getSupervisionIndicators": .permissions([.supervisionRead]),
        "registerWindowCase": .steps([.register]), "getCase": .steps([.view]), "acceptCase": .steps([.accept]),
        "issueOneTimeNotice": .steps([.issueNotice]), "refuseCase": .steps([.refuse]), "resubmitCase": .steps([.resubmit]),
        "recordVisit": .steps([.recordVisit]), "withdrawCase": .steps([.withdraw]), "supplyMaterial": .steps([.supply]),
        "completeTask": .steps([.review]), "suspendClock": .steps([.suspend]), "resumeClock": .steps([.resume]),
        "decideCase": .steps([.decide]), "extendCase": .steps([.extend]), "payAtWindow": .steps([.payAtWindow]),
        "deliverCase": .steps([.deliverPickup, .deliverPost, .download]),
        "downloadResult": .steps([.download]), "getResult": .steps([.view]),
    ]

    /// Case steps done on web pages only, so not in the API document.
    static let webOnlySteps: Set<CaseOperation> = [.inspect, .payOnline]

    static let logins: [Role: (String, Bool)] = [
        .applicant: ("91410100MA44XY1K2N", false), .staff(.windowClerk): ("clerk.kf", false),
        .staff(.departmentReviewer): ("reviewer.kf", false), .staff(.departmentHead): ("head.zz", false),
        .staff(.catalogAdmin): ("catalog.ha", false), .staff(.supervisor): ("supervisor.ha", false),
        .staff(.systemAdmin): ("admin.ha", true), .staff(.auditor): ("auditor.ha", true),
    ]

    // MARK: the document agrees with the policy

    @Test func openAPIDocument_namesTheRolesThePolicyGives() async throws {
        try await TestApp.run(seed: .none) { app in
            let operations = try await APIOperation.all(app)
            var disagreements: [String] = []
            for operation in operations {
                guard let rule = Self.guards[operation.id] else {
                    disagreements.append("\(operation.id): not in the test's table of policy names")
                    continue
                }
                let documented = Set(operation.roles)
                let expected: Set<String> = if case .open = rule { ["public"] } else { Set(rule.roles.map(\.code)) }
                if documented != expected {
                    disagreements.append("\(operation.method) \(operation.path) (\(operation.id)): x-roles \(documented.sorted()), policy \(expected.sorted())")
                }
            }
            let stale = Set(Self.guards.keys).subtracting(operations.map(\.id))
            #expect(stale.isEmpty, "in the table but not in the document: \(stale.sorted())")
            #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
            // every case step has an API operation, or is known to be done on a page only
            let covered = Self.guards.values.reduce(into: Set<CaseOperation>()) { if case .steps(let ops) = $1 { $0.formUnion(ops) } }
            #expect(Set(CaseOperation.allCases).subtracting(covered) == Self.webOnlySteps)
        }
    }

    // MARK: roles the policy leaves out

    @Test func everyRoleThePolicyLeavesOut_isRefused() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup: 张三's cases in each state, a guide version, an item; a token for every role
            let fixtures = try await CaseFixtures.make(app)
            let targets = try await Targets.load(app, fixtures)
            let totp = String(format: "%06d", HummingbirdOTPCode.now(app))
            var tokens: [Role: String] = [:]
            for (role, (login, needsTOTP)) in Self.logins { tokens[role] = try await app.token(login, totp: needsTOTP ? totp : nil) }
            let operations = try await APIOperation.all(app)
            var checked = 0
            var successes: [String] = []
            for operation in operations {
                guard let rule = Self.guards[operation.id], case let roles = rule.roles, !roles.isEmpty else { continue }
                for role in Role.all where !roles.contains(role) {
                    // act
                    let step: CaseOperation? = if case .steps(let steps) = rule { steps.first } else { nil }
                    let response = try await targets.send(operation, step: step, token: tokens[role]!)
                    checked += 1
                    if ![401, 403, 404].contains(Int(response.status.code)) {
                        successes.append("\(operation.method) \(operation.path) as \(role.code): \(response.status.code) \(response.text.prefix(120))")
                    }
                }
            }
            // check
            SuiteSummary.report("G8", "role × operation checks", passed: checked - successes.count, failed: successes.count)
            #expect(successes.isEmpty, "\(successes.joined(separator: "\n"))")
            #expect(checked > 150)
        }
    }

    // MARK: the right role in the wrong place

    /// For every case step and every role `CasePolicy` lets do it: someone of that role
    /// outside its reach (another city, a department without a task or not leading, not the
    /// owner) is refused with 403 or 404, and someone inside it gets past the policy (any
    /// answer but 401/403, and no "case not found").
    @Test func everyCaseStep_outsideTheRolesReach_isRefused() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let fixtures = try await CaseFixtures.make(app)
            let targets = try await Targets.load(app, fixtures)
            let operations = try await APIOperation.all(app)
            let people = try await Reach.people(app)
            var checked = 0
            var failures: [String] = []
            for operation in operations {
                guard case .steps(let steps)? = Self.guards[operation.id] else { continue }
                for step in steps {
                    for (role, reach) in CasePolicy.rule(for: step).sorted(by: { $0.key.code < $1.key.code }) {
                        // act: outsiders of this reach
                        for outsider in Reach.outsiders(role: role, reach: reach) {
                            let response = try await targets.send(operation, step: step, token: try #require(people[outsider], "no token for \(outsider)"))
                            checked += 1
                            if ![403, 404].contains(Int(response.status.code)) {
                                failures.append("\(step) (\(operation.id)) by \(outsider), \(role.code) outside its reach \(reach): \(response.status.code) \(response.text.prefix(120))")
                            }
                        }
                        // act: an insider, on a case in a final state, passes the policy (the state machine answers)
                        let insider = Reach.insider(role: role, step: step)
                        let response = try await targets.send(operation, step: step, token: try #require(people[insider], "no token for \(insider)"), finalState: true)
                        checked += 1
                        let hidden = response.status == .notFound && response.text.contains("case.not_found")
                        if [401, 403].contains(Int(response.status.code)) || hidden {
                            failures.append("\(step) (\(operation.id)) by \(insider), \(role.code) inside its reach: refused \(response.status.code) \(response.text.prefix(120))")
                        }
                    }
                }
            }
            // check
            SuiteSummary.report("G8-reach", "region, department and owner checks", passed: checked - failures.count, failed: failures.count)
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            #expect(checked > 40)
            // nothing moved: the received case is still received, nothing was paid or delivered
            let received = try CaseFlowTests.detail(try await app.json(.get, "/api/v1/cases/\(fixtures.received.summary.id)", token: try await app.token(CaseFixtures.clerk)))
            #expect(received.summary.state == fixtures.received.summary.state)
        }
    }
}

/// Who stands where: the logins used for each reach of `CasePolicy`. The fixture cases are
/// Zhengzhou (410100) 不动产 cases of 张三 with tasks for 自然资源和规划局 (lead) and 税务局.
enum Reach {
    static func outsiders(role: Role, reach: CasePolicy.Reach) -> [String] {
        switch (role, reach) {
        case (.applicant, .owner): ["91410100MA44XY1K2N"]
        case (.staff(.windowClerk), .region): ["clerk.kf"]
        case (.staff(.supervisor), .region): ["supervisor.kf"]
        // 市场监督管理局 of Zhengzhou has no task on these cases; Kaifeng's is in another city
        case (.staff(.departmentReviewer), _): ["reviewer.zz", "reviewer.kf"]
        case (.staff(.departmentHead), .leadDepartment): ["head.zz", "head.zz.sw"]
        case (.staff(.departmentHead), _): ["head.zz", "head.kf"]
        default: ["\(role.code) outside \(reach): no login"]
        }
    }

    static func insider(role: Role, step: CaseOperation) -> String {
        switch role {
        case .applicant: CaseFixtures.applicant
        case .staff(.windowClerk): CaseFixtures.clerk
        case .staff(.supervisor): "supervisor.ha"
        case .staff(.departmentReviewer): "reviewer.zz.zr"
        case .staff(.departmentHead): CaseFixtures.leadHead
        case .staff(let other): "\(other.rawValue): no insider"
        }
    }

    /// A token for every login named above; the staff the demo data lacks are made here.
    static func people(_ app: TestApp) async throws -> [String: String] {
        var tokens: [String: String] = [:]
        for login in ["91410100MA44XY1K2N", "13800000001", "clerk.kf", "clerk.zz", "reviewer.zz", "reviewer.kf", "reviewer.zz.zr", "head.zz", "head.zz.zr", "supervisor.ha"] {
            tokens[login] = try await app.token(login)
        }
        tokens["supervisor.kf"] = try await CaseSecurityTests.staff(app, "supervisor.kf", role: .supervisor, region: "410200", like: "supervisor.ha")
        tokens["head.kf"] = try await CaseSecurityTests.staff(app, "head.kf", role: .departmentHead, region: "410200", like: "reviewer.kf")
        // a head of a department with a task on the cases that does not lead them
        tokens["head.zz.sw"] = try await CaseSecurityTests.staff(app, "head.zz.sw", role: .departmentHead, region: "410100", like: "reviewer.zz.sw")
        return tokens
    }
}

/// One operation of the API document.
struct APIOperation {
    var id: String
    var method: String
    var path: String
    var roles: [String]

    static func all(_ app: TestApp) async throws -> [APIOperation] {
        let response = try await app.page("/api/v1/openapi.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [APIOperation] = []
        for (path, entries) in paths {
            for (method, value) in entries {
                guard let operation = value as? [String: Any], let id = operation["operationId"] as? String else { continue }
                operations.append(APIOperation(id: id, method: method.uppercased(), path: path, roles: operation["x-roles"] as? [String] ?? []))
            }
        }
        return operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }
}

/// Real objects for each operation's parameters, and a body that would do the step.
struct Targets {
    var fixtures: CaseFixtures
    var implementation: UUID
    var version: UUID
    var applicantID: UUID
    var client: any TestClientProtocol

    static func load(_ app: TestApp, _ fixtures: CaseFixtures) async throws -> Targets {
        let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
        let version = try #require(try await GuideVersionModel.query(on: app.db).filter(\.$implementationID == implementation).first())
        let applicant = try #require(try await AccountRow.select(on: app.db.sql).where("login_name", .equal, CaseFixtures.applicant).limit(1).row(AccountRow.self))
        return Targets(fixtures: fixtures, implementation: implementation, version: version.id!, applicantID: applicant.id, client: app.client)
    }

    /// The case a step is naturally taken on, or the rejected one, whose state is final (so
    /// the state machine, not the policy, says no) and which has tasks and a lead department.
    func target(_ operation: APIOperation, step: CaseOperation?, finalState: Bool) -> CaseDetail {
        if finalState { return fixtures.rejected }
        switch step {
        case .accept, .issueNotice, .refuse, .recordVisit: return fixtures.received
        case .resubmit: return fixtures.awaitingCorrection
        case .payAtWindow, .deliverPickup, .deliverPost: return fixtures.approvedPickup
        case .download: return fixtures.delivered
        default: return fixtures.underReview
        }
    }

    func send(_ operation: APIOperation, step: CaseOperation? = nil, token: String, finalState: Bool = false) async throws -> TestResponse {
        let c = target(operation, step: step, finalState: finalState)
        // the lead department's task: the insiders of task steps work there
        let task = (c.tasks.first { $0.departmentName.contains("自然资源") } ?? c.tasks.first ?? fixtures.underReview.tasks[0]).id
        let material = (c.materials.first ?? fixtures.underReview.materials[0]).id
        var uri = operation.path
            .replacingOccurrences(of: "{code}", with: CaseFixtures.code)
            .replacingOccurrences(of: "{task}", with: task.uuidString)
            .replacingOccurrences(of: "{material}", with: material.uuidString)
        if uri.hasPrefix("/api/v1/cases/") {
            uri = uri.replacingOccurrences(of: "{id}", with: c.summary.id.uuidString)
        } else if uri.hasPrefix("/api/v1/applicants/") {
            uri = uri.replacingOccurrences(of: "{id}", with: applicantID.uuidString)
        } else {
            uri = uri.replacingOccurrences(of: "{id}", with: uri.contains("guide-versions") ? version.uuidString : implementation.uuidString)
        }
        let isFile = uri.hasSuffix("/file") || uri.hasSuffix("/files")
        if isFile { uri += "?name=x.pdf" }
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: isFile ? "application/pdf" : "application/json"]
        headers[HTTPField.Name("Idempotency-Key")!] = UUID().uuidString
        let body: ByteBuffer? = operation.method == "GET" ? nil : isFile ? ByteBuffer(bytes: CaseFlowTests.pdf) : ByteBuffer(string: Self.body(for: operation, step: step, implementation: implementation))
        return try await client.execute(uri: uri, method: HTTPRequest.Method(rawValue: operation.method)!, headers: headers, body: body)
    }

    static func body(for operation: APIOperation, step: CaseOperation?, implementation: UUID) -> String {
        switch step {
        case .register?:
            #"{"implementationID":"\#(implementation)","channel":"walkIn","name":"王五","idNumber":"410102199001011234","phone":"13712345678","providedMaterials":[0]}"#
        case .issueNotice?: #"{"items":[{"material":"不动产登记申请书","instruction":"请补交"}]}"#
        case .refuse?: #"{"reason":"不属于本机关职权范围"}"#
        case .recordVisit?: #"{"reason":"核验原件"}"#
        case .withdraw?: #"{"reason":"不办了"}"#
        case .review?: #"{"approve":true}"#
        case .suspend?: #"{"reason":"专家评审"}"#
        case .extend?: #"{"days":5,"reason":"情况复杂需延期"}"#
        case .decide?: #"{"decision":"approve"}"#
        case .deliverPickup?: #"{"mode":"pickup","collectorIDLast4":"1234"}"#
        case .deliverPost?: #"{"mode":"post","carrier":"EMS","trackingNumber":"EA123456789CN"}"#
        case .download?: #"{"mode":"download"}"#
        default:
            #"{"version":null,"approve":true,"decision":"approve","reason":"测试理由理由","items":[{"material":"不动产登记申请书","instruction":"请补交"}],"days":1,"mode":"pickup","action":"submit","collectorIDLast4":"1234"}"#
        }
    }
}
