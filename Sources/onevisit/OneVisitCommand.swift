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
        subcommands: [Serve.self, Migrate.self, Seed.self, AuditVerify.self, KPIVerify.self, CalendarCommand.self, Jobs.self, Bench.self])
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
        // Demo accounts have published passwords and a published TOTP secret: never by accident.
        guard services.config.demoMode else {
            await services.persistence.shutdown()
            throw ValidationError("演示数据含公开的密码和动态验证码密钥，只在演示模式下载入：请设置 ONEVISIT_DEMO=true (demo data only in demo mode)")
        }
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

struct KPIVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kpi-verify", abstract: "按办件重新计数，核对考核指标计数器 (recount the KPI counters from the cases)")
    func run() async throws {
        let (services, _) = try await loadServices(label: "onevisit.kpi")
        let result: KPIVerifyReport
        do {
            result = try await KPIVerifyReport.run(on: services)
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
        // One JSON line per bucket that differs, then the summary.
        for difference in result.differences { print(difference.jsonLine) }
        print(result.summary)
        if !result.differences.isEmpty { throw ExitCode(1) }
    }
}

struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "工作日历：导入节假日安排、查询工作日 (work calendar)",
        subcommands: [Import.self, IsWorkday.self, AddWorkdays.self, Recompute.self])

    /// R6.6: once after upgrading, for cases whose due date was counted before years without a
    /// notice fell back to their statutory holidays.
    struct Recompute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "按当前工作日历重新计算在办件的办结日 (recount open cases' due dates)")

        func run() async throws {
            let (services, _) = try await loadServices(label: "onevisit.calendar")
            let changed: Int
            do {
                changed = try await services.recomputeDueDates()
            } catch {
                await services.persistence.shutdown()
                throw error
            }
            await services.persistence.shutdown()
            print("重新计算办结日的在办件：\(changed) 件。")
        }
    }

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
            let result: CalendarImportResult
            do {
                result = try await services.importCalendar(schedules)
            } catch {
                await services.persistence.shutdown()
                throw error
            }
            await services.persistence.shutdown()
            print("已导入 \(result.years.map(String.init).joined(separator: "、")) 年节假日安排；重新计算办结日的在办件：\(result.casesRecomputed) 件。")
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
            // R6.6: a year without an imported notice is counted on its statutory holidays.
            print("\(day) \(day.weekday.chineseName)：\(workday ? "工作日" : "休息日")\(calendar.covers(day) ? "" : "（该年节假日安排未导入，按法定节假日暂定）")")
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
            print("\(end) \(end.weekday.chineseName)\(calendar.status(from: day, through: end).note)")
        }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "执行定时任务：逾期未告知视为受理、容缺材料逾期暂停计时 (run due jobs)",
        discussion: """
            --dry-run 只读：以 JSON 列出各项扫描在 --as-of 那天（默认今天）会改变的办件（编号、区划、做什么、为什么），不改任何数据。
            实际执行只在今天：法律效果（视为受理、暂停计时）在期限届满时才发生，提前执行会剥夺机关尚余的告知期限，
            并写下日期不实的事件和审计记录，所以 --as-of 不是今天时必须与 --dry-run 同用。
            --dry-run lists (JSON) what each scan would change at --as-of (default: today) and changes nothing;
            a real run happens only today: --as-of a different day requires --dry-run.
            """)

    @Option(name: .customLong("as-of"), help: "扫描日期 YYYY-MM-DD（默认今天）(the day to scan as of)") var asOf: String?
    @Flag(name: .customLong("dry-run"), help: "只列出将要发生的变化，不改数据 (print the plan as JSON, change nothing)") var dryRun = false

    func validate() throws {
        if let asOf, CalendarDate(iso8601: asOf) == nil { throw ValidationError("--as-of 应为 YYYY-MM-DD 格式的日期") }
    }

    func run() async throws {
        let (services, _) = try await loadServices(label: "onevisit.jobs")
        do {
            try await runJobs(services)
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
    }

    private func runJobs(_ services: AppServices) async throws {
        let today = services.cases.currentDay
        let day = asOf.flatMap { CalendarDate(iso8601: $0) } ?? today
        if dryRun {
            print(try await services.cases.dueScanPlan(asOf: day).jsonText())
            return
        }
        guard day == today else {
            FileHandle.standardError.write(Data("--as-of \(day) 不是今天（\(today)）：只能与 --dry-run 同用（法律效果在期限届满之日才发生）\n".utf8))
            throw ExitCode(64)
        }
        let report = try await services.cases.runDueScans(address: "local")
        print("逾期未告知、依法视为受理：\(report.applied.count(where: { $0.scan == .deemedAcceptance })) 件")
        print("容缺材料逾期未补交、暂停计时：\(report.applied.count(where: { $0.scan == .toleranceDeadlines })) 件")
        for refusal in report.refused {
            print("未能执行：\(refusal.change.caseNumber) \(refusal.change.what)（\(refusal.code)）")
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "性能基准（不是测试，只报告数字）(benchmarks; not tests)",
        subcommands: [Lifecycle.self, SeedCases.self, Queries.self])

    /// Writes `object` as JSON to `path` ("-" for standard output).
    static func writeJSON(_ object: [String: Any], to path: String?) throws {
        guard let path else { return }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        if path == "-" { print(String(decoding: data, as: UTF8.self)) } else { try data.write(to: URL(fileURLWithPath: path)) }
    }

    /// Runs `body` on migrated services with the demo data, and always closes the database.
    static func withDemoServices(label: String, _ body: (AppServices) async throws -> Void) async throws {
        let (services, _) = try await loadServices(label: label)
        do {
            try await services.persistence.migrate()
            _ = try await DemoSeed.load(into: services)
            try await body(services)
        } catch {
            await services.persistence.shutdown()
            throw error
        }
        await services.persistence.shutdown()
    }

    struct Lifecycle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "提交→受理→两部门并联审查→决定→送达，每步一个持久事务")
        @Option(help: "办件数") var cases = 500
        @Option(help: "并发客户端数") var clients = 1
        @Option(help: "SQLite synchronous：FULL（默认）或 NORMAL（PostgreSQL 忽略）") var synchronous = "FULL"
        @Option(help: "把结果写成 JSON 文件（- 为标准输出）") var json: String?

        func run() async throws {
            guard ["FULL", "NORMAL"].contains(synchronous.uppercased()) else { throw ValidationError("synchronous 应为 FULL 或 NORMAL") }
            guard cases > 0, clients > 0 else { throw ValidationError("cases 与 clients 应为正数") }
            try await Bench.withDemoServices(label: "onevisit.bench") { services in
                let sqlite = services.config.database.isSQLite
                if sqlite {
                    try await services.persistence.writeSQL.raw("PRAGMA synchronous=\(unsafeRaw: synchronous.uppercased())").run()
                }
                let done = ProgressCounter(total: cases)
                let report = try await LifecycleBench.run(services: services, cases: cases, clients: clients) { done.advance(by: $0) }
                done.finish()
                print(String(format: "lifecycle in-process: %d cases, %d clients, %@%@: %.1f cases/s (%.2f s)",
                             report.cases, report.clients, services.config.database.description, sqlite ? " synchronous=\(synchronous.uppercased())" : "",
                             report.casesPerSecond, report.seconds))
                for step in report.steps { print(String(format: "  %-8@ p50 %7.2f ms   p99 %7.2f ms", step.name, step.p50, step.p99)) }
                print("  lost or doubled transitions: \(report.lostOrDoubled)")
                try Bench.writeJSON([
                    "bench": "lifecycle", "database": sqlite ? "sqlite" : "postgresql", "synchronous": sqlite ? synchronous.uppercased() : NSNull(),
                    "cases": report.cases, "clients": report.clients, "seconds": report.seconds, "cases_per_s": report.casesPerSecond,
                    "steps": report.steps.map { ["name": $0.name, "p50_ms": $0.p50, "p99_ms": $0.p99, "count": $0.count] },
                    "lost_or_doubled": report.lostOrDoubled, "rss_mb": QueryBench.residentMegabytes(),
                ], to: json)
            }
        }
    }

    struct SeedCases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "seed", abstract: "批量生成办件及其流转记录（查询基准用）")
        @Option(help: "办件数") var cases = 100_000
        @Option(help: "把结果写成 JSON 文件（- 为标准输出）") var json: String?
        @Option(help: "把查询样本（办件编号、后四位、申请人）写成 JSON 文件") var samples: String?

        func run() async throws {
            guard cases > 0 else { throw ValidationError("cases 应为正数") }
            try await Bench.withDemoServices(label: "onevisit.bench") { services in
                let done = ProgressCounter(total: cases)
                let report = try await BulkSeed.run(services: services, count: cases, status: { line in
                    done.finish()
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }) { done.advance(by: $0) }
                var bytes: Int?
                if case .sqliteFile(let path) = services.config.database {
                    try await services.persistence.writeSQL.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
                    bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                }
                print(String(format: "bulk seed: %d cases, %d events, %d applicants in %.1f s (%.0f cases/s; %.1f s of it building the indexes)",
                             report.cases, report.events, report.applicants, report.seconds, Double(report.cases) / report.seconds, report.indexSeconds))
                try Bench.writeJSON([
                    "bench": "seed", "cases": report.cases, "events": report.events, "applicants": report.applicants, "seconds": report.seconds,
                    "index_seconds": report.indexSeconds,
                    "rows_per_s": Double(report.cases + report.events + report.applicants) / report.seconds, "db_bytes": bytes ?? NSNull(),
                ], to: json)
                if let samples {
                    try JSONEncoder().encode(report.samples).write(to: URL(fileURLWithPath: samples))
                }
            }
        }
    }

    struct Queries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "办件进度查询、申请人办件列表、考核指标（冷/热）与内存")
        @Option(help: "onevisit bench seed --samples 写出的样本文件") var samples: String
        @Option(help: "进度查询次数") var lookups = 20000
        @Option(help: "把结果写成 JSON 文件（- 为标准输出）") var json: String?

        func run() async throws {
            let list: [BulkSeed.Sample]
            do {
                list = try JSONDecoder().decode([BulkSeed.Sample].self, from: Data(contentsOf: URL(fileURLWithPath: samples)))
            } catch {
                throw ValidationError("无法读取样本文件 \(samples)：\(error.localizedDescription)")
            }
            let (services, _) = try await loadServices(label: "onevisit.bench")
            do {
                let report = try await QueryBench.run(services: services, samples: list, lookups: lookups)
                print(String(format: "queries at %d cases: progress p50 %.0f µs p99 %.0f µs (%.0f/s); applicant list p50 %.0f µs p99 %.0f µs; indicators cold %.1f ms warm %.1f ms; RSS %.0f MB; misses %d",
                             report.cases, report.progress.p50, report.progress.p99, report.progress.perSecond, report.applicantList.p50, report.applicantList.p99,
                             report.kpiColdMilliseconds, report.kpiWarmMilliseconds, report.residentMegabytes, report.misses))
                try Bench.writeJSON([
                    "bench": "queries", "cases": report.cases, "progress": report.progress.dictionary, "applicant_list": report.applicantList.dictionary,
                    "kpi": ["cold_ms": report.kpiColdMilliseconds, "warm_ms": report.kpiWarmMilliseconds], "rss_mb": report.residentMegabytes,
                    "misses": report.misses,
                ], to: json)
            } catch {
                await services.persistence.shutdown()
                throw error
            }
            await services.persistence.shutdown()
        }
    }
}

/// A progress bar on standard error for long commands: done/total, rate and time left.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private var shown = -1
    private let total: Int
    private let started = ContinuousClock.now
    init(total: Int) { self.total = total }

    func advance(by n: Int) {
        lock.lock()
        done += n
        let value = done
        let show = value == total || value - max(shown, 0) >= max(1, total / 100)
        if show { shown = value }
        lock.unlock()
        guard show else { return }
        let seconds = (ContinuousClock.now - started).inSeconds
        let rate = seconds > 0 ? Double(value) / seconds : 0
        let left = rate > 0 ? Double(total - value) / rate : 0
        let width = 30
        let filled = total == 0 ? width : width * value / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %d/%d  %.0f/s  剩余 %.0f s ", bar, value, total, rate, left).utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
