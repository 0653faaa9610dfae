import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// FluentKit inside a Hummingbird service: the database pool, migrations, and the one
/// way to write (`transaction`). This glue is ours; no maintained package offers it
/// for the versions on this machine.
public final class Persistence: Service, @unchecked Sendable {
    public let location: DatabaseLocation
    let databases: Databases
    let logger: Logger
    let metrics: AppMetrics
    /// SQLite gets one event loop and so exactly one connection: writes are serialised
    /// in-process instead of failing with SQLITE_BUSY.
    private let ownGroup: MultiThreadedEventLoopGroup?
    private let eventLoopGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool

    public init(location: DatabaseLocation, logger: Logger, metrics: AppMetrics) throws {
        self.location = location
        self.logger = logger
        self.metrics = metrics
        let threadPool = NIOThreadPool(numberOfThreads: 2)
        threadPool.start()
        self.threadPool = threadPool
        switch location {
        case .sqliteFile, .sqliteMemory:
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            ownGroup = group
            eventLoopGroup = group
        case .postgres:
            ownGroup = nil
            eventLoopGroup = MultiThreadedEventLoopGroup.singleton
        }
        databases = Databases(threadPool: threadPool, on: eventLoopGroup)
        switch location {
        case .sqliteFile(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            databases.use(.sqlite(.init(storage: .file(path: path), enableForeignKeys: true), connectionPoolTimeout: .seconds(30)), as: .sqlite)
            metrics.poolSize.set(1.0)
        case .sqliteMemory:
            databases.use(.sqlite(.init(storage: .memory, enableForeignKeys: true)), as: .sqlite)
            metrics.poolSize.set(1.0)
        case .postgres(let url):
            let perLoop = 8
            var configuration = try SQLPostgresConfiguration(url: url)
            // A statement waits this long for a lock another session holds, then fails with
            // 55P03, answered 503 (`isBusy`), instead of holding a pooled connection until
            // every other request times out behind it.
            configuration.coreConfiguration.options.additionalStartupParameters.append(("lock_timeout", "\(Self.postgresLockWait.components.seconds)s"))
            databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: perLoop, connectionPoolTimeout: .seconds(30)), as: .psql)
            metrics.poolSize.set(Double(perLoop * System.coreCount))
        }
        if location.isSQLite {
            // Another process (the CLI's `calendar import`, a backup) may hold the write lock:
            // wait for it instead of failing at once with SQLITE_BUSY. The pool has exactly one
            // connection, kept until shutdown, so setting it once here covers every query;
            // this runs before anything else can use the connection.
            try sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(Self.lockWait.components.seconds * 1000))").run().wait()
        }
    }

    /// How long a statement waits for a lock held by another connection before it fails
    /// as busy (SQLite `busy_timeout`: another process, such as the CLI).
    static let lockWait: Duration = .seconds(5)
    /// PostgreSQL's `lock_timeout`: every write takes the audit chain's head row in turn, so
    /// under load a write waits behind the others; 5 s turned ordinary queues into 503s in
    /// the parallel test run. 15 s still ends the wait before the pool's 30 s timeout.
    static let postgresLockWait: Duration = .seconds(15)

    /// A database handle for reads; writes go through `transaction`.
    public var db: any Database {
        databases.database(logger: logger, on: eventLoopGroup.any())!
    }

    public var sql: any SQLDatabase { db as! any SQLDatabase }

    /// One state change: the change, its audit record and anything else it writes
    /// commit together or not at all (DESIGN.md, "Every state change is one transaction").
    public func transaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        metrics.transactionsInFlight.increment()
        let start = ContinuousClock.now
        defer {
            metrics.transactionsInFlight.decrement()
            metrics.transactionDuration.record(ContinuousClock.now - start)
        }
        return try await db.transaction { tx in try await work(tx) }
    }

    /// Settings that make a commit durable: WAL with synchronous=FULL on SQLite.
    public func configureStorage() async throws {
        guard location.isSQLite else { return }
        let sql = self.sql
        if case .sqliteFile = location {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        try await sql.raw("PRAGMA synchronous=FULL").run()
    }

    func migrator() -> Migrator {
        let migrations = Migrations()
        for migration in Schema.migrations { migrations.add(migration) }
        return Migrator(databases: databases, migrations: migrations, logger: logger, on: eventLoopGroup.any())
    }

    public func migrate() async throws {
        try await configureStorage()
        let migrator = migrator()
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// The names of migrations not yet applied; `serve` refuses to start while any are.
    public func pendingMigrations() async throws -> [String] {
        let migrator = migrator()
        try await migrator.setupIfNeeded().get()
        return try await migrator.previewPrepareBatch().get().map { $0.0.name }
    }

    /// True when the database answers.
    public func ping() async -> Bool {
        do {
            try await sql.raw("SELECT 1").run()
            return true
        } catch {
            logger.error("database ping failed: \(String(reflecting: error))")
            return false
        }
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        if let ownGroup { try? await ownGroup.shutdownGracefully() }
    }

    /// Lives as long as the server: keeps the pool open and closes it on shutdown.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
