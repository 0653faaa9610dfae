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
        subcommands: [Serve.self, Migrate.self, Seed.self, AuditVerify.self])
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
