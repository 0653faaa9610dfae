import FluentKit
import FluentSQL
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import OneVisitApp

/// A fresh database for one test: a SQLite file, or a new PostgreSQL database when
/// `ONEVISIT_TEST_DATABASE_URL` names a server (the suite runs on both).
struct TestDatabase {
    let location: DatabaseLocation
    let cleanup: @Sendable () async throws -> Void

    static let logger: Logger = {
        var logger = Logger(label: "onevisit.test")
        logger.logLevel = .warning
        return logger
    }()

    static var postgresAdminURL: String? {
        let url = ProcessInfo.processInfo.environment["ONEVISIT_TEST_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static func make() async throws -> TestDatabase {
        let name = "ov_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        if let admin = postgresAdminURL {
            try await runAdmin(admin, "CREATE DATABASE \(name)")
            var components = URLComponents(string: admin)!
            components.path = "/\(name)"
            return TestDatabase(location: .postgres(components.string!)) {
                try await runAdmin(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onevisit-tests", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(name).sqlite").path
        return TestDatabase(location: .sqliteFile(path)) {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    private static func runAdmin(_ url: String, _ statement: String) async throws {
        let admin = try await Persistence.open(location: .postgres(url), logger: logger, metrics: AppMetrics())
        do {
            try await admin.sql.raw(SQLQueryString(statement)).run()
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
    }
}

/// The real app, in-process, on its own database with a hand-moved clock.
struct TestApp {
    let services: AppServices
    let clock: ManualClock
    let client: any TestClientProtocol

    static let start = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18, a Wednesday

    /// Builds and migrates the app, optionally loads the demo data, then runs `body`.
    enum Seed { case none, organisation, full }

    /// `mode` `.live` serves on a real port; `configure` changes settings before the app is built.
    /// `random` pins ids and numbers (`SeededRandom`), `start` the clock's first reading, and
    /// `dependencies` sets anything else from outside (the file store, the document renderer).
    static func run(seed: Seed = .organisation, demoMode: Bool = true, mode: TestingSetup = .router,
                    random: any RandomSource = SystemRandom(), start: Date = TestApp.start,
                    configure: @Sendable (inout AppConfig) -> Void = { _ in },
                    dependencies: @Sendable (inout AppDependencies) -> Void = { _ in },
                    _ body: @Sendable (TestApp) async throws -> Void) async throws {
        let database = try await TestDatabase.make()
        var config = AppConfig()
        config.demoMode = demoMode
        config.database = database.location
        // One folder per test: housekeeping in one test must not see another's files.
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("onevisit-tests/data-\(UUID().uuidString)").path
        config.dataDirectory = dataDirectory
        config.bcryptCost = 4
        config.jobsInterval = 0
        configure(&config)
        let clock = ManualClock(start)
        var outside = AppDependencies(clock: clock, random: random)
        dependencies(&outside)
        let services = try await AppServices.make(config: config, dependencies: outside, logger: TestDatabase.logger)
        do {
            try await services.persistence.migrate()
            if seed != .none { _ = try await DemoSeed.load(into: services, includeCatalog: seed == .full) }
            let app = buildApplication(services: services, logger: TestDatabase.logger)
            try await app.test(mode) { client in
                try await body(TestApp(services: services, clock: clock, client: client))
            }
        } catch {
            await services.persistence.shutdown()
            try await database.cleanup()
            try? FileManager.default.removeItem(atPath: dataDirectory)
            throw error
        }
        await services.persistence.shutdown()
        try await database.cleanup()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    var db: any Database { services.persistence.db }

    // MARK: requests

    static let csrf = "test-csrf-token-0123456789abcdef"

    @discardableResult
    func json(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Posts a web form with a matching CSRF cookie and field, as a browser would.
    func form(_ uri: String, _ fields: [String: String], cookie: String? = nil, csrf: String? = TestApp.csrf) async throws -> TestResponse {
        var all = fields
        if let csrf { all["csrf"] = csrf }
        let body = all.map { key, value in
            "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        var cookies = ["\(CookieNames.csrf)=\(TestApp.csrf)"]
        if let cookie { cookies.append(cookie) }
        return try await client.execute(
            uri: uri, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookies.joined(separator: "; ")],
            body: ByteBuffer(string: body))
    }

    func page(_ uri: String, cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    /// Signs in over the API and returns the bearer token.
    func token(_ username: String, password: String = DemoSeed.password, totp: String? = nil) async throws -> String {
        var body = #"{"username":"\#(username)","password":"\#(password)""#
        if let totp { body += #","totp":"\#(totp)""# }
        body += "}"
        let response = try await json(.post, "/api/v1/auth/login", body: body)
        guard response.status == .ok else { throw TestFailure("login of \(username) answered \(response.status): \(String(buffer: response.body))") }
        return try JSONDecoder().decode(TokenBody.self, from: Data(buffer: response.body)).token
    }

    /// The session cookie from a web sign-in, as `name=value`.
    func sessionCookie(from response: TestResponse) -> String? {
        for field in response.headers[values: .setCookie] where field.hasPrefix("\(CookieNames.session)=") {
            return String(field.prefix { $0 != ";" })
        }
        return nil
    }

    func count<M: Model>(_ model: M.Type) async throws -> Int {
        try await M.query(on: db).count()
    }
}

struct TokenBody: Decodable { var token: String }

/// The one summary line each check of the reliability and security suite prints (issue 5):
/// `G8: 1234 checks, 1234 passed, 0 failed`.
enum SuiteSummary {
    static func report(_ name: String, _ unit: String, passed: Int, failed: Int) {
        print("\(name): \(passed + failed) \(unit), \(passed) passed, \(failed) failed")
    }
}

struct ProblemBody: Decodable {
    var code: String
    var title: String
    var status: Int
    var field: String?
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func problem() throws -> ProblemBody { try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: body)) }
}

/// A file store in memory, for tests that pin what is stored or must not touch the disk.
final class MemoryFileStore: FileStore, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: Data] = [:]

    var count: Int { lock.withLock { files.count } }
    func exists(_ sha256: String) -> Bool { lock.withLock { files[sha256] != nil } }
    func read(_ sha256: String) throws -> Data? { lock.withLock { files[sha256] } }
    func write(_ data: Data) throws -> String {
        let sha = BlobStore.hex(data)
        lock.withLock { files[sha] = data }
        return sha
    }
    func collectGarbage(referenced: Set<String>, olderThan age: TimeInterval, now: Date) -> Int {
        lock.withLock {
            let stale = files.keys.filter { !referenced.contains($0) }
            for key in stale { files[key] = nil }
            return stale.count
        }
    }
}
