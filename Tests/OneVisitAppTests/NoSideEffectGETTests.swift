import FluentKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OneVisitDomain
import Testing
@testable import OneVisitApp

/// Issue 11: no GET request changes data. Every GET route the router has, asked by nobody
/// and by every demo login, with its parameters filled from real objects (a case in each
/// main state, its documents, materials and tasks, a guide, an applicant, a payment…);
/// every table is read before and after and must be the same.
@Suite("No GET changes data")
struct NoSideEffectGETTests {
    /// Every demo login (admin and auditor sign in with a TOTP code).
    static let logins: [(login: String, totp: Bool)] = [
        ("13800000001", false), ("91410100MA44XY1K2N", false), ("clerk.zz", false), ("clerk.kf", false),
        ("reviewer.zz", false), ("reviewer.zz.zr", false), ("reviewer.kf", false), ("head.zz", false), ("head.zz.zr", false),
        ("catalog.ha", false), ("supervisor.ha", false), ("admin.ha", true), ("auditor.ha", true),
    ]

    @Test func everyGETRoute_ofEveryRole_leavesEveryTableAsItWas() async throws {
        let files = MemoryFileStore()
        try await TestApp.run(seed: .full, dependencies: { $0.files = files }) { app in
            // setup: a case in each main state, then two weeks pass, so anything a page might
            // "catch up" on (deemed acceptance, lapsed deadlines, timed-out payments) is due
            let fixtures = try await CaseFixtures.make(app)
            app.clock.advance(by: 14 * 86400)
            let values = try await ParameterValues.load(app, fixtures: fixtures)
            // bearer tokens from the API sign-in, and web sessions (a cookie) from the sign-in form
            var tokens: [(String, HTTPFields)] = [("anonymous", [:])]
            for (login, totp) in Self.logins {
                let token = try await app.token(login, totp: totp ? String(format: "%06d", HummingbirdOTPCode.now(app)) : nil)
                tokens.append((login, [.authorization: "Bearer \(token)"]))
            }
            for login in [CaseFixtures.applicant, CaseFixtures.clerk] {
                let signIn = try await app.form("/login", ["username": login, "password": DemoSeed.password, "next": ""])
                let cookie = try #require(app.sessionCookie(from: signIn), "no web session for \(login): \(signIn.status)")
                tokens.append(("\(login) (web)", [.cookie: cookie]))
            }
            let routes = buildRouter(services: app.services).routes
                .filter { $0.method == .get }
                .map { $0.path.description }
                .sorted()
            var unfillable: [String] = []
            var requests: [(route: String, uris: [String])] = []
            for route in Set(routes).sorted() {
                do { requests.append((route, try values.uris(for: route))) } catch { unfillable.append("\(route): \(error)") }
            }

            // act: every route for every role, the tables compared after each route
            var before = try await DatabaseSnapshot.take(app.db)
            let filesBefore = files.count
            var writes: [String] = []
            var answered: [String: Set<Int>] = [:]
            var sent = 0
            for (route, uris) in requests {
                for (_, credential) in tokens {
                    for uri in uris {
                        var headers = credential
                        let cookies = [credential[.cookie], "\(CookieNames.csrf)=\(TestApp.csrf)"].compactMap { $0 }
                        headers[.cookie] = cookies.joined(separator: "; ")
                        let response = try await app.client.execute(uri: uri, method: .get, headers: headers)
                        answered[route, default: []].insert(Int(response.status.code))
                        sent += 1
                    }
                }
                let after = try await DatabaseSnapshot.take(app.db)
                if after != before {
                    writes.append("GET \(route) changed:\n  " + after.changes(since: before).joined(separator: "\n  "))
                    before = after
                }
            }

            // check
            print("no-GET-writes: \(requests.count) GET routes, \(sent) requests, \(tokens.count) roles, \(before.rowCount) rows compared")
            let neverAnswered = answered.filter { $0.value.allSatisfy { $0 >= 400 } }.map { "\($0.key) \($0.value.sorted())" }.sorted()
            if !neverAnswered.isEmpty { print("GET routes no role got a success from: \(neverAnswered.joined(separator: "; "))") }
            #expect(unfillable.isEmpty, "routes whose parameters the test cannot fill: \(unfillable.joined(separator: "; "))")
            #expect(writes.isEmpty, "\(writes.count) GET routes wrote:\n\(writes.joined(separator: "\n"))")
            #expect(files.count == filesBefore, "GET requests stored \(files.count - filesBefore) files")
            #expect(requests.count > 40)
            #expect(before.rowCount > 100)
        }
    }
}

/// Real values for every route parameter, from the fixtures and the demo data.
struct ParameterValues {
    struct Unfillable: Error, CustomStringConvertible { var description: String }

    var cases: [CaseDetail]
    var caseNumbers: [String]
    var documents: [(caseID: UUID, id: UUID)]
    var materials: [(caseID: UUID, id: UUID)]
    var tasks: [(caseID: UUID, id: UUID)]
    /// Ids that are not cases: a guide's implementation and version, a department, applicants, an item.
    var otherIDs: [String]
    var itemCodes: [String]
    var storedFiles: [String]
    var orders: [String]
    var last4: String

    static func load(_ app: TestApp, fixtures: CaseFixtures) async throws -> ParameterValues {
        let db = app.db
        let implementation = try await CaseFlowTests.implementation(app, code: CaseFixtures.code)
        let version = try #require(try await GuideVersionModel.query(on: db).filter(\.$implementationID == implementation).first())
        let department = try #require(try await DepartmentModel.query(on: db).sort(\.$name).first())
        let applicants = try await AccountRow.select(on: db.sql).where("login_name", .in, ["13800000001", "91410100MA44XY1K2N"]).orderBy("login_name").rows(AccountRow.self)
        let item = try await BaseItemModel.query(on: db).filter(\.$code == CaseFixtures.code).first()
        let person = try #require(applicants.first { $0.loginName == "13800000001" })
        let documents = try await app.rows(CaseDocumentRow.self).map { ($0.caseID, $0.id) }
        let materials = try await app.rows(CaseMaterialRow.self).filter { $0.fileSHA != nil }.map { ($0.caseID, $0.id) }
        return ParameterValues(
            cases: fixtures.all, caseNumbers: fixtures.all.map(\.summary.number),
            documents: documents.sorted { ($0.0.uuidString, $0.1.uuidString) < ($1.0.uuidString, $1.1.uuidString) },
            materials: Array(materials.prefix(6)),
            tasks: fixtures.all.flatMap { c in c.tasks.map { (c.summary.id, $0.id) } },
            otherIDs: [implementation, version.id!, department.id!].map(\.uuidString) + applicants.map { $0.id.uuidString } + (item?.id.map { [$0.uuidString] } ?? []),
            itemCodes: [CaseFixtures.code],
            storedFiles: try await StoredFileModel.query(on: db).limit(3).all().compactMap(\.id),
            orders: try await app.rows(PaymentRow.self).map(\.orderNumber),
            last4: String((person.idNumber ?? "0000").suffix(4)))
    }

    /// The URIs to ask for a route pattern (`/cases/:id/documents/:doc`).
    func uris(for route: String) throws -> [String] {
        // A parameter is `:name` or `{name}`, as the router prints it.
        let segments = route.split(separator: "/").map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }
        let names = Set(segments.filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) })
        if let wild = segments.first(where: { $0.contains("*") || $0.contains("{") }) { throw Unfillable(description: "segment \(wild)") }
        var fillings: [[String: String]]
        switch names {
        case []:
            fillings = [[:]]
        case ["id"] where segments.contains("cases"):
            fillings = cases.map { ["id": $0.summary.id.uuidString] }
        case ["id"]:
            fillings = otherIDs.map { ["id": $0] }
        case ["id", "doc"]:
            fillings = documents.map { ["id": $0.caseID.uuidString, "doc": $0.id.uuidString] }
        case ["id", "material"]:
            fillings = materials.map { ["id": $0.caseID.uuidString, "material": $0.id.uuidString] }
        case ["id", "task"]:
            fillings = tasks.map { ["id": $0.caseID.uuidString, "task": $0.id.uuidString] }
        case ["sha", "name"]:
            fillings = storedFiles.map { ["sha": $0, "name": "file.pdf"] }
        case ["order"]:
            fillings = orders.map { ["order": $0] }
        case ["code"]:
            fillings = itemCodes.map { ["code": $0] }
        case ["number"]:
            fillings = caseNumbers.map { ["number": $0] }
        default:
            throw Unfillable(description: "parameters \(names.sorted())")
        }
        var uris = fillings.map { values in
            "/" + segments.map { $0.hasPrefix(":") ? values[String($0.dropFirst())]! : $0 }.joined(separator: "/")
        }
        // The progress query with the right and a wrong holder, for each case.
        if segments.last == "progress" {
            uris += caseNumbers.flatMap { ["\(uris[0])?number=\($0)&last4=\(last4)", "\(uris[0])?number=\($0)&last4=0000"] }
        }
        return uris
    }
}
