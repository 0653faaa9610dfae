import ArgumentParser
import Foundation
import Logging
import OneVisitApp
import OneVisitDomain

@main
struct OneVisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onevisit",
        abstract: "OneVisit 政务服务平台：一网通办，最多跑一次。",
        subcommands: [Serve.self, Migrate.self, Seed.self, AuditVerify.self, CalendarCommand.self, Jobs.self, Bench.self])
}

/// Runs `body`, and stops with the bad setting named (exit 78, EX_CONFIG) if one is wrong.
func namingBadSettings<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("\(error.description)\n".utf8))
        throw ExitCode(78)
    }
}

/// Loads the settings and opens the database, or stops with the bad setting named.
func loadServices(label: String, adjust: (inout AppConfig) throws -> Void = { _ in }) async throws -> (AppServices, Logger) {
    try await namingBadSettings {
        var config = try await AppConfig.load()
        try adjust(&config)
        var logger = Logger(label: label)
        logger.logLevel = config.logLevel
        let services = try await AppServices.make(config: config, logger: logger)
        return (services, logger)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "启动 Web 服务 (serve the portal and API)")
    @Option(help: "监听地址 (host)") var host: String?
    @Option(help: "端口 (port)") var port: Int?

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("端口须为 1–65535 (port must be 1–65535)") }
    }

    func run() async throws {
        let (services, logger) = try await loadServices(label: "onevisit") { config in
            if let host { config.host = host }
            if let port { config.port = port }
        }
        let settings = services.config
        try await services.persistence.configureStorage()
        let pending = try await services.persistence.pendingMigrations()
        guard pending.isEmpty else {
            FileHandle.standardError.write(Data("数据库结构不是最新（待执行 \(pending.count) 项），请先运行 onevisit migrate\n".utf8))
            await services.persistence.shutdown()
            throw ExitCode(78)
        }
        // One process owns a SQLite file, so at start nothing else can be mid-upload; with
        // PostgreSQL other instances may be, so only files older than an hour go.
        let orphans = try await services.collectGarbage(olderThan: settings.database.isSQLite ? 0 : 3600)
        if orphans > 0 { logger.notice("removed \(orphans) stored files left by an interrupted upload") }
        logger.info("OneVisit 启动 http://\(settings.host):\(settings.port) 数据库 \(settings.database)")
        let app = buildApplication(services: services, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "建立或升级数据库结构 (migrate the database)")
    func run() async throws {
        let (services, _) = try await loadServices(label: "onevisit.migrate")
        do {
            try await services.persistence.migrate()
            print("数据库已是最新结构：\(services.config.database)")
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "载入演示数据 (load demo data)")
    @Flag(help: "载入河南省演示数据 (Henan demo data)") var demo = false

    func run() async throws {
        guard demo else { throw ValidationError("目前只支持 --demo (only --demo is supported)") }
        let (services, _) = try await loadServices(label: "onevisit.seed")
        do {
            let loaded = try await DemoSeed.load(into: services) { step in print("  ✓ \(step)") }
            print(loaded ? "演示数据已载入。" : "演示数据已存在，未重复载入。")
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
        print("")
        print("演示账号（密码均为 \(DemoSeed.password)）：")
        for login in DemoSeed.logins {
            let totp = login.needsTOTP ? "  需动态码，TOTP 密钥（原文）：\(DemoSeed.totpSecret)" : ""
            print("  \(login.username.padding(toLength: 20, withPad: " ", startingAt: 0)) \(login.role.chineseName) · \(login.name)\(totp)")
        }
    }
}

struct AuditVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit-verify", abstract: "校验审计日志哈希链 (verify the audit hash chain)")
    func run() async throws {
        let (services, _) = try await loadServices(label: "onevisit.audit")
        let result: AuditReport
        do {
            result = try await AuditReport.run(on: services)
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
        if let problem = result.firstBreak {
            print("审计日志哈希链断裂：\(problem)（共 \(result.checked) 条）")
            throw ExitCode(1)
        }
        print("审计日志哈希链完整：已校验 \(result.checked) 条记录。")
    }
}

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "工作日历：导入节假日安排、查询工作日 (work calendar)",
        subcommands: [Import.self, IsWorkday.self, AddWorkdays.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "导入一年或多年的节假日安排 JSON (import holiday schedules)")
        @Argument(help: "JSON 文件：一个 {year, holidays, workdays, source} 对象或它们的数组") var file: String

        func run() async throws {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let schedules: [YearSchedule]
            if let many = try? JSONDecoder().decode([YearSchedule].self, from: data) {
                schedules = many
            } else if let one = try? JSONDecoder().decode(YearSchedule.self, from: data) {
                schedules = [one]
            } else {
                throw ValidationError("文件不是节假日安排 JSON：{\"year\":2027,\"holidays\":[\"2027-01-01\"],\"workdays\":[],\"source\":\"…\"}")
            }
            let (services, _) = try await loadServices(label: "onevisit.calendar")
            do {
                try await services.importCalendar(schedules)
            } catch {
                await services.persistence.shutdown()
                throw error
            }
            await services.persistence.shutdown()
            print("已导入 \(schedules.map { String($0.year) }.joined(separator: "、")) 年节假日安排。")
        }
    }

    struct IsWorkday: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "is-workday", abstract: "某日是否为工作日 (is DATE a working day)")
        @Argument(help: "日期 yyyy-MM-dd") var date: String

        func run() async throws {
            guard let day = CalendarDate(iso8601: date) else { throw ValidationError("日期格式应为 yyyy-MM-dd") }
            let (services, _) = try await loadServices(label: "onevisit.calendar")
            let calendar = try await services.workCalendar()
            await services.persistence.shutdown()
            let workday = calendar.isWorkday(day)
            print("\(day) \(day.weekday.chineseName)：\(workday ? "工作日" : "休息日")\(calendar.covers(day) ? "" : "（该年节假日安排未导入，仅按周末判断）")")
        }
    }

    struct AddWorkdays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-workdays", abstract: "从某日次日起算 N 个工作日 (DATE + N working days)")
        @Argument(help: "起算日 yyyy-MM-dd（当日不计）") var date: String
        @Argument(help: "工作日数") var days: Int

        func run() async throws {
            guard let day = CalendarDate(iso8601: date) else { throw ValidationError("日期格式应为 yyyy-MM-dd") }
            guard (0...3650).contains(days) else { throw ValidationError("工作日数应为 0–3650") }
            let (services, _) = try await loadServices(label: "onevisit.calendar")
            let calendar = try await services.workCalendar()
            await services.persistence.shutdown()
            let end = calendar.addWorkdays(day, days)
            print("\(end) \(end.weekday.chineseName)")
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "执行定时任务：逾期未告知视为受理 (run due jobs)")
    func run() async throws {
        let (services, _) = try await loadServices(label: "onevisit.jobs")
        do {
            let accepted = try await services.cases.applyDeemedAcceptance(address: "local")
            print("逾期未告知、依法视为受理：\(accepted) 件")
            let overdue = try await services.cases.applyToleranceDeadlines(address: "local")
            print("容缺材料逾期未补交、暂停计时：\(overdue) 件")
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "性能基准：案件全流程（服务层内） (benchmarks; not tests)", subcommands: [Lifecycle.self])

    struct Lifecycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "提交→受理→两部门并联审查→决定→送达，每步一个持久事务")
        @Option(help: "办件数") var cases = 500
        @Option(help: "并发客户端数") var clients = 1
        @Option(help: "SQLite synchronous：FULL（默认）或 NORMAL") var synchronous = "FULL"

        func run() async throws {
            guard ["FULL", "NORMAL"].contains(synchronous.uppercased()) else { throw ValidationError("synchronous 应为 FULL 或 NORMAL") }
            let (services, _) = try await loadServices(label: "onevisit.bench")
            do {
                try await services.persistence.migrate()
                _ = try await DemoSeed.load(into: services)
                if services.config.database.isSQLite {
                    try await services.persistence.sql.raw("PRAGMA synchronous=\(unsafeRaw: synchronous.uppercased())").run()
                }
                let done = ProgressCounter(total: cases)
                let report = try await LifecycleBench.run(services: services, cases: cases, clients: clients) { done.advance(by: $0) }
                FileHandle.standardError.write(Data("\n".utf8))
                print(String(format: "lifecycle in-process: %d cases, %d clients, %@ synchronous=%@: %.1f cases/s (%.2f s)",
                             report.cases, report.clients, services.config.database.description, synchronous.uppercased(), report.casesPerSecond, report.seconds))
                for step in report.steps { print(String(format: "  %-8@ p50 %7.2f ms   p99 %7.2f ms", step.name, step.p50, step.p99)) }
                print("  lost or doubled transitions: \(report.lostOrDoubled)")
            } catch {
                await services.persistence.shutdown()
                throw error
            }
            await services.persistence.shutdown()
        }
    }
}

/// A progress bar on standard error for long commands.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    init(total: Int) { self.total = total }
    func advance(by n: Int) {
        lock.lock()
        done += n
        let value = done
        lock.unlock()
        guard value % max(1, total / 50) == 0 || value == total else { return }
        let width = 30
        let filled = total == 0 ? width : width * value / total
        FileHandle.standardError.write(Data("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(value)/\(total)".utf8))
    }
}
