import Configuration
import SystemPackage
import Foundation
import Logging

/// Where the data lives: one SQLite file for a county, PostgreSQL for a province.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqliteFile(String)
    case sqliteMemory
    case postgres(String)

    /// Parses `ONEVISIT_DATABASE_URL`: `sqlite:PATH`, `sqlite::memory:`, `postgres://…` / `postgresql://…`.
    public init(url: String) throws(ConfigError) {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        if trimmed == "sqlite::memory:" {
            self = .sqliteMemory
        } else if trimmed.hasPrefix("sqlite:") {
            var path = String(trimmed.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ConfigError(setting: "ONEVISIT_DATABASE_URL", problem: "sqlite: 后缺少文件路径 (missing file path after sqlite:)") }
            self = .sqliteFile(path)
        } else if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: trimmed), components.host?.isEmpty == false else {
                throw ConfigError(setting: "ONEVISIT_DATABASE_URL", problem: "PostgreSQL 地址无法解析 (cannot parse the PostgreSQL URL)")
            }
            self = .postgres(trimmed)
        } else {
            throw ConfigError(setting: "ONEVISIT_DATABASE_URL", problem: "只支持 sqlite:路径 或 postgres:// 地址 (expected sqlite:PATH or postgres://…)")
        }
    }

    public var isSQLite: Bool {
        if case .postgres = self { return false }
        return true
    }

    /// Never prints a password.
    public var description: String {
        switch self {
        case .sqliteFile(let path): return "sqlite:\(path)"
        case .sqliteMemory: return "sqlite::memory:"
        case .postgres(let url):
            if var c = URLComponents(string: url) {
                if c.password != nil { c.password = "***" }
                return c.string ?? "postgres://…"
            }
            return "postgres://…"
        }
    }
}

/// A setting that is missing or wrong; startup stops and names it.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var setting: String
    public var problem: String
    public var description: String { "配置错误 \(setting)：\(problem)" }
}

/// All settings, with their defaults. Read from the environment (`ONEVISIT_*`) and an
/// optional JSON file (`ONEVISIT_CONFIG_FILE`, keys like `{"http": {"port": 8080}}`);
/// the environment wins.
public struct AppConfig: Sendable {
    public var database: DatabaseLocation = .sqliteFile("data/onevisit.sqlite")
    public var dataDirectory: String = "data"
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var bcryptCost: UInt8 = 12
    public var sessionLifetime: TimeInterval = 8 * 3600
    /// Whether cookies carry `Secure`: `ONEVISIT_SECURE_COOKIES` when set, else on unless
    /// the server listens on loopback only (development over plain HTTP).
    public var secureCookies: Bool {
        get { secureCookiesSetting ?? !Self.isLoopback(host) }
        set { secureCookiesSetting = newValue }
    }
    public var secureCookiesSetting: Bool?
    /// Bearer token that `/metrics` asks for (`ONEVISIT_METRICS_TOKEN`); without one, only
    /// requests from the loopback address may read it.
    public var metricsToken: String?
    /// Seconds a connection may stay idle before it is closed (`ONEVISIT_HTTP_IDLE_TIMEOUT`):
    /// one that sends nothing, or only part of a request head, is cut off after this long.
    public var idleTimeout: Int = 30
    public var logLevel: Logger.Level = .info
    /// Shared secret of the payment gateway's signed callbacks (`ONEVISIT_PAYMENT_SECRET`).
    /// Without one, the callback refuses everything (R8.6: no fee is marked paid unless a
    /// configured gateway says so); in demo mode the simulated gateway signs with a random
    /// secret made at start-up, known to nobody outside this process.
    public var paymentSecret: String?
    /// Demo mode (`ONEVISIT_DEMO=true`): the simulated payment gateway and the demo data
    /// with its public passwords and TOTP secret. Off unless switched on explicitly.
    public var demoMode: Bool = false
    /// Seconds between the due-case scans in `serve`; 0 turns them off (tests drive them).
    public var jobsInterval: Int = 300
    /// Connections and the bound on waiting writes (`ONEVISIT_WRITE_QUEUE`, `ONEVISIT_DATABASE_POOL`).
    public var persistence = PersistenceOptions()

    public init() {}

    static func isLoopback(_ host: String) -> Bool {
        let parts = host.split(separator: ".")
        let isIPv4Loopback = parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
        return isIPv4Loopback || ["::1", "[::1]", "localhost"].contains(host.lowercased())
    }

    /// Reads and checks every setting; the first bad one throws a `ConfigError` naming it.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> AppConfig {
        // Only our own variables, without the prefix: ONEVISIT_HTTP_PORT → key http.port.
        var scoped: [String: String] = [:]
        for (key, value) in environment where key.hasPrefix("ONEVISIT_") {
            scoped[String(key.dropFirst("ONEVISIT_".count))] = value
        }
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: scoped)]
        if let file = environment["ONEVISIT_CONFIG_FILE"], !file.isEmpty {
            guard FileManager.default.fileExists(atPath: file) else {
                throw ConfigError(setting: "ONEVISIT_CONFIG_FILE", problem: "文件不存在 (file not found): \(file)")
            }
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigError(setting: "ONEVISIT_CONFIG_FILE", problem: "不是有效的 JSON 配置文件 (not a valid JSON config): \(error)")
            }
        }
        return try AppConfig(reader: ConfigReader(providers: providers))
    }

    /// A whole number from the environment (text) or the JSON file (number or text).
    static func integer(_ reader: ConfigReader, _ key: ConfigKey, setting: String, in range: ClosedRange<Int>, problem: String) throws -> Int? {
        if let value = reader.int(forKey: key) {
            guard range.contains(value) else { throw ConfigError(setting: setting, problem: "\(problem), got \(value)") }
            return value
        }
        if let raw = reader.string(forKey: key) {
            guard let value = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
                throw ConfigError(setting: setting, problem: "\(problem), got \(raw)")
            }
            return value
        }
        return nil
    }

    init(reader: ConfigReader) throws {
        if let url = reader.string(forKey: "database.url"), !url.isEmpty {
            database = try DatabaseLocation(url: url)
        }
        if let dir = reader.string(forKey: "data.dir"), !dir.isEmpty { dataDirectory = dir }
        if let host = reader.string(forKey: "http.host"), !host.isEmpty { self.host = host }
        if let port = try Self.integer(reader, "http.port", setting: "ONEVISIT_HTTP_PORT", in: 1...65535, problem: "端口须为 1–65535 的整数 (port must be 1–65535)") {
            self.port = port
        }
        if let cost = try Self.integer(reader, "bcrypt.cost", setting: "ONEVISIT_BCRYPT_COST", in: 4...31, problem: "须为 4–31 的整数 (must be 4–31)") {
            bcryptCost = UInt8(cost)
        }
        if let raw = reader.string(forKey: "session.hours") {
            guard let hours = Double(raw), hours > 0, hours <= 24 * 30 else {
                throw ConfigError(setting: "ONEVISIT_SESSION_HOURS", problem: "须为 0–720 之间的小时数 (hours, 0–720), got \(raw)")
            }
            sessionLifetime = hours * 3600
        }
        if let raw = reader.string(forKey: "secure.cookies") {
            guard let flag = Bool(raw.lowercased()) else {
                throw ConfigError(setting: "ONEVISIT_SECURE_COOKIES", problem: "须为 true 或 false, got \(raw)")
            }
            secureCookies = flag
        }
        if let token = reader.string(forKey: "metrics.token") {
            guard token.count >= 16 else {
                throw ConfigError(setting: "ONEVISIT_METRICS_TOKEN", problem: "至少 16 个字符 (at least 16 characters)")
            }
            metricsToken = token
        }
        if let seconds = try Self.integer(reader, "http.idle.timeout", setting: "ONEVISIT_HTTP_IDLE_TIMEOUT", in: 1...3600, problem: "须为 1–3600 秒 (seconds, 1–3600)") {
            idleTimeout = seconds
        }
        if let seconds = try Self.integer(reader, "jobs.interval", setting: "ONEVISIT_JOBS_INTERVAL", in: 0...86400, problem: "须为 0–86400 秒 (seconds, 0 = off)") {
            jobsInterval = seconds
        }
        if let queue = try Self.integer(reader, "write.queue", setting: "ONEVISIT_WRITE_QUEUE", in: 1...100_000, problem: "须为 1–100000 的整数 (waiting writes, 1–100000)") {
            persistence.writeQueue = queue
        }
        if let pool = try Self.integer(reader, "database.pool", setting: "ONEVISIT_DATABASE_POOL", in: 1...1000, problem: "须为 1–1000 的整数 (connections, 1–1000)") {
            persistence.postgresPool = pool
            persistence.sqliteReaders = min(pool, 64)
        }
        if let raw = reader.string(forKey: "demo") {
            guard let flag = Bool(raw.lowercased()) else {
                throw ConfigError(setting: "ONEVISIT_DEMO", problem: "须为 true 或 false, got \(raw)")
            }
            demoMode = flag
        }
        if let secret = reader.string(forKey: "payment.secret") {
            guard secret.count >= 16 else {
                throw ConfigError(setting: "ONEVISIT_PAYMENT_SECRET", problem: "至少 16 个字符 (at least 16 characters)")
            }
            paymentSecret = secret
        }
        if let raw = reader.string(forKey: "log.level") {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw ConfigError(setting: "ONEVISIT_LOG_LEVEL", problem: "须为 trace/debug/info/notice/warning/error/critical, got \(raw)")
            }
            logLevel = level
        }
    }
}
