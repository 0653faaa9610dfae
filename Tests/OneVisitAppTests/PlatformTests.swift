import FluentKit
import FluentSQL
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import OneVisitApp

@Suite("Platform")
struct PlatformTests {
    @Test func healthz_reportsDatabase() async throws {
        try await TestApp.run(seed: .none) { app in
            let response = try await app.page("/healthz")
            #expect(response.status == .ok)
            #expect(response.text.contains("\"database\":\"ok\""))
        }
    }

    @Test func livez_isPlainText() async throws {
        try await TestApp.run(seed: .none) { app in
            let live = try await app.page("/livez")
            #expect(live.status == .ok)
            #expect(live.text == "ok\n")
        }
    }

    @Test func metrics_countRequestsByRoute() async throws {
        try await TestApp.run(seed: .none) { app in
            _ = try await app.page("/healthz")
            _ = try await app.page("/healthz")
            let metrics = try await app.page("/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"onevisit_http_requests_total{method="GET",route="/healthz",status="200"} 2"#))
            #expect(metrics.text.contains("onevisit_http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("onevisit_db_pool_connections_max"))
        }
    }

    @Test func unknownAPIPath_isProblemJSON_unknownPage_isChinesePage() async throws {
        try await TestApp.run(seed: .none) { app in
            let api = try await app.json(.get, "/api/v1/nothing-here")
            #expect(api.status == .notFound)
            #expect(api.headers[.contentType] == "application/problem+json")
            #expect(try api.problem().code == "not_found")
            let page = try await app.page("/nothing-here")
            #expect(page.status == .notFound)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("您访问的页面或资源不存在"))
            #expect(page.text.contains("lang=\"zh-CN\""))
        }
    }

    @Test func malformedJSON_is400WithStableCode_andLeaksNothing() async throws {
        try await TestApp.run(seed: .none) { app in
            let response = try await app.json(.post, "/api/v1/auth/login", body: "{not json")
            #expect(response.status == .badRequest)
            let problem = try response.problem()
            #expect(problem.code == "request.malformed")
            #expect(!response.text.contains("Swift"))
            #expect(!response.text.contains("SELECT"))
        }
    }

    /// A value outside the document's enum (an unknown registration type) is named by its field.
    @Test func unknownEnumValue_is422NamingTheField_andStoresNothing() async throws {
        try await TestApp.run(seed: .none) { app in
            // act
            let response = try await app.json(.post, "/api/v1/applicants", body: #"{"type":"robot","name":"张三","phone":"13800000009","password":"Demo@2026x"}"#)
            // check
            #expect(response.status == .unprocessableContent)
            let problem = try response.problem()
            #expect(problem.code == "request.invalid_value")
            #expect(problem.field == "type")
            #expect(try await AccountRow.select(on: app.db.sql).rows(AccountRow.self).count == 0)
        }
    }

    @Test func openAPIDocument_describesExactlyTheRegisteredAPIRoutes() async throws {
        try await TestApp.run(seed: .none) { app in
            // setup: the routes the router really has
            let router = buildRouter(services: app.services)
            let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" }.filter { $0.contains(" /api/v1") }
                .map { route in
                    // :name → {name}
                    route.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                })
            // act
            let response = try await app.page("/api/v1/openapi.json")
            #expect(response.status == .ok)
            let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = document["paths"] as! [String: [String: Any]]
            var documented = Set<String>()
            for (path, operations) in paths {
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            // check
            #expect(documented == registered, "only documented: \(documented.subtracting(registered)); only registered: \(registered.subtracting(documented))")
            #expect(registered.count >= 9)
        }
    }

    @Test func staticAssets_haveCacheHeaders() async throws {
        try await TestApp.run(seed: .none) { app in
            let css = try await app.page("/static/site.css")
            #expect(css.status == .ok)
            #expect(css.headers[.cacheControl]?.contains("max-age=86400") == true)
        }
    }

    @Test func pages_carrySecurityHeaders() async throws {
        try await TestApp.run(seed: .none) { app in
            let page = try await app.page("/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[values: .setCookie].contains { $0.hasPrefix("ov_csrf=") && $0.contains("SameSite=Strict") })
        }
    }

    @Test func sqlite_runsWALWithSynchronousFull() async throws {
        guard TestDatabase.postgresAdminURL == nil else { return }
        try await TestApp.run(seed: .none) { app in
            struct Row: Decodable { var journal_mode: String }
            struct Sync: Decodable { var synchronous: Int }
            let sql = app.services.persistence.sql
            let mode = try await sql.raw("PRAGMA journal_mode").first(decoding: Row.self)
            let sync = try await sql.raw("PRAGMA synchronous").first(decoding: Sync.self)
            #expect(mode?.journal_mode == "wal")
            #expect(sync?.synchronous == 2)
        }
    }

    @Test func demoSeed_isCompleteAndLoadsOnce() async throws {
        try await TestApp.run { app in
            #expect(try await app.count(RegionModel.self) == 5)
            #expect(try await app.count(DepartmentModel.self) == 50)
            #expect(try await WindowModel.query(on: app.db).filter(\.$kind == "comprehensive").count() == 7)
            let roles = Set(try await AccountRow.select(on: app.db.sql).rows(AccountRow.self).map(\.role))
            #expect(roles == Set(["applicant"] + StaffRoleCodes.all))
            #expect(try await DemoSeed.load(into: app.services, includeCatalog: false) == false)
            #expect(try await app.count(RegionModel.self) == 5)
            // every county and city hangs under the right parent
            let kaifeng = try #require(try await RegionModel.find("410221", on: app.db))
            #expect(kaifeng.parentCode == "410200")
            #expect(kaifeng.level == "county")
        }
    }

    @Test func calendarImport_takesEffectAtOnce_andABadScheduleChangesNothing() async throws {
        try await TestApp.run(seed: .none) { app in
            let monday = try #require(CalendarDate(iso8601: "2027-01-04"))
            #expect(try await app.services.workCalendar().isWorkday(monday))
            #expect(try await app.services.workCalendar().years.contains(2026))
            let bad = YearSchedule(year: 2027, holidays: ["2027-01-04"], workdays: ["2027-01-05"], source: "test")  // a Tuesday "workday"
            await #expect(throws: AppError.self) { try await app.services.importCalendar([bad]) }
            #expect(try await app.services.workCalendar().isWorkday(monday))
            try await app.services.importCalendar([YearSchedule(year: 2027, holidays: ["2027-01-01", "2027-01-04"], workdays: [], source: "test")])
            #expect(try await !app.services.workCalendar().isWorkday(monday))
        }
    }

    @Test func portalHome_listsServiceCentres() async throws {
        try await TestApp.run { app in
            let page = try await app.page("/")
            #expect(page.text.contains("郑州市政务服务中心"))
            #expect(page.text.contains("开封市民之家"))
            #expect(page.text.contains("id=\"nav-login\""))
        }
    }

    @Test func organisationPage_showsPostsWithoutBackup() async throws {
        try await TestApp.run { app in
            let login = try await app.form("/login", ["username": "head.zz", "password": DemoSeed.password])
            let cookie = try #require(app.sessionCookie(from: login))
            let page = try await app.page("/organisation", cookie: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("3 个岗位没有 B 角"))
            let applicant = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
            let applicantCookie = try #require(app.sessionCookie(from: applicant))
            #expect(try await app.page("/organisation", cookie: applicantCookie).status == .forbidden)
        }
    }
}

enum StaffRoleCodes {
    static var all: [String] { OneVisitDomainRoles.codes }
}

import OneVisitDomain
enum OneVisitDomainRoles {
    static var codes: [String] { StaffRole.allCases.map(\.rawValue) }
}

@Suite("Configuration")
struct ConfigurationTests {
    @Test func defaults_useSQLiteFileUnderData() async throws {
        let config = try await AppConfig.load(environment: [:])
        #expect(config.database == .sqliteFile("data/onevisit.sqlite"))
        #expect(config.port == 8080)
        #expect(config.host == "127.0.0.1")
    }

    @Test func environment_selectsDatabaseAndPort() async throws {
        let config = try await AppConfig.load(environment: ["ONEVISIT_DATABASE_URL": "postgres://u:secret@db.example:5432/ov", "ONEVISIT_HTTP_PORT": "9090", "ONEVISIT_DATA_DIR": "/srv/ov"])
        #expect(config.database == .postgres("postgres://u:secret@db.example:5432/ov"))
        #expect(!config.database.description.contains("secret"))
        #expect(config.port == 9090)
        #expect(config.dataDirectory == "/srv/ov")
        let sqlite = try await AppConfig.load(environment: ["ONEVISIT_DATABASE_URL": "sqlite:/tmp/x.sqlite"])
        #expect(sqlite.database == .sqliteFile("/tmp/x.sqlite"))
    }

    @Test func badSettings_failNamingTheSetting() async throws {
        for (environment, setting) in [
            (["ONEVISIT_HTTP_PORT": "eighty"], "ONEVISIT_HTTP_PORT"),
            (["ONEVISIT_DATABASE_URL": "mysql://x"], "ONEVISIT_DATABASE_URL"),
            (["ONEVISIT_BCRYPT_COST": "99"], "ONEVISIT_BCRYPT_COST"),
            (["ONEVISIT_CONFIG_FILE": "/nonexistent/onevisit.json"], "ONEVISIT_CONFIG_FILE"),
        ] {
            do {
                _ = try await AppConfig.load(environment: environment)
                Issue.record("\(setting) accepted a bad value")
            } catch let error as ConfigError {
                #expect(error.setting == setting)
                #expect(error.description.contains(setting))
            }
        }
    }

    @Test func configFile_isRead_andEnvironmentWins() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ov-config-\(UUID().uuidString).json").path
        try #"{"http": {"port": 7070, "host": "0.0.0.0"}, "bcrypt": {"cost": 10}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try await AppConfig.load(environment: ["ONEVISIT_CONFIG_FILE": path])
        #expect(fromFile.port == 7070)
        let config = try await AppConfig.load(environment: ["ONEVISIT_CONFIG_FILE": path, "ONEVISIT_HTTP_PORT": "7171"])
        #expect(config.port == 7171)
        #expect(config.host == "0.0.0.0")
        #expect(config.bcryptCost == 10)
    }
}
