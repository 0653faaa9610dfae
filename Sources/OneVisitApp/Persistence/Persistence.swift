import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// How many connections and how many waiting writes (issue 12). Defaults fit the machine.
public struct PersistenceOptions: Sendable, Equatable {
    /// Write transactions admitted at once (queued + running); one more is answered 503 with
    /// `Retry-After` at once instead of waiting (`ONEVISIT_WRITE_QUEUE`).
    public var writeQueue: Int = 512
    /// SQLite: connections that only read (WAL lets them run beside the writer).
    public var sqliteReaders: Int = max(2, System.coreCount)
    /// PostgreSQL: connections of the pool, reads and writes (`ONEVISIT_DATABASE_POOL`).
    /// PostgreSQL's own rule of thumb is about twice the cores; 16 keeps 16 clients busy
    /// on a small machine without taking much of `max_connections`.
    public var postgresPool: Int = max(16, 4 * System.coreCount)

    public init() {}
}

/// FluentKit and SQLKit inside a Hummingbird service: the connections, migrations, and the
/// one way to write (`transaction`). This glue is ours; no maintained package offers it
/// for the versions on this machine.
///
/// SQLite (a file): one writer connection, reached only through `WriteQueue` (group commit:
/// many transactions per fsync), and `sqliteReaders` reader connections in WAL mode for
/// `db` / `sql`, which never wait for the writer. PostgreSQL: one pool for both; a write
/// is a transaction of its own (row locks and version checks decide between writers),
/// admitted up to the same bound. An in-memory SQLite database has one connection for all.
public final class Persistence: Service, @unchecked Sendable {
    public let location: DatabaseLocation
    public let options: PersistenceOptions
    /// The databases writes and migrations run on; `readDatabases` serves `db`.
    let databases: Databases
    private let readDatabases: Databases
    let logger: Logger
    let metrics: AppMetrics
    private let groups: [MultiThreadedEventLoopGroup]
    private let writeLoop: any EventLoop
    private let readGroup: any EventLoopGroup
    private let threadPool: NIOThreadPool
    /// SQLite: the group-commit writer. PostgreSQL: nil (`admission` bounds the writes).
    let writer: WriteQueue?
    private let admission: Admission

    public init(location: DatabaseLocation, logger: Logger, metrics: AppMetrics, options: PersistenceOptions = .init()) throws {
        self.location = location
        self.options = options
        self.logger = logger
        self.metrics = metrics
        admission = Admission(capacity: options.writeQueue)
        let readers = location == .sqliteMemory ? 1 : max(1, options.sqliteReaders)
        // SQLiteNIO runs every libsqlite3 call on this pool: one thread per connection.
        let threadPool = NIOThreadPool(numberOfThreads: location.isSQLite ? readers + 1 : 2)
        threadPool.start()
        self.threadPool = threadPool
        switch location {
        case .sqliteFile(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            // The writer: one loop, one connection. Readers: one connection on each of their loops.
            let writeGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let readGroup = MultiThreadedEventLoopGroup(numberOfThreads: readers)
            groups = [writeGroup, readGroup]
            writeLoop = writeGroup.next()
            self.readGroup = readGroup
            databases = Databases(threadPool: threadPool, on: writeGroup)
            databases.use(.sqlite(.init(storage: .file(path: path), enableForeignKeys: true), connectionPoolTimeout: .seconds(30)), as: .sqlite)
            readDatabases = Databases(threadPool: threadPool, on: readGroup)
            readDatabases.use(.sqlite(.init(storage: .file(path: path), enableForeignKeys: true), connectionPoolTimeout: .seconds(30)), as: .sqlite)
            metrics.poolSize.set(Double(readers + 1))
        case .sqliteMemory:
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            groups = [group]
            writeLoop = group.next()
            readGroup = group
            databases = Databases(threadPool: threadPool, on: group)
            databases.use(.sqlite(.init(storage: .memory, enableForeignKeys: true)), as: .sqlite)
            readDatabases = databases
            metrics.poolSize.set(1.0)
        case .postgres(let url):
            let group = MultiThreadedEventLoopGroup.singleton
            groups = []
            writeLoop = group.any()
            readGroup = group
            let loops = max(1, System.coreCount)
            let perLoop = max(1, (options.postgresPool + loops - 1) / loops)
            var configuration = try SQLPostgresConfiguration(url: url)
            // A statement waits this long for a lock another session holds, then fails with
            // 55P03, answered 503 (`isBusy`), instead of holding a pooled connection until
            // every other request times out behind it.
            configuration.coreConfiguration.options.additionalStartupParameters.append(("lock_timeout", "\(Self.postgresLockWait.components.seconds)s"))
            databases = Databases(threadPool: threadPool, on: group)
            databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: perLoop, connectionPoolTimeout: Self.postgresPoolWait), as: .psql)
            readDatabases = databases
            metrics.poolSize.set(Double(perLoop * loops))
        }
        if case .sqliteFile = location {
            let databases = self.databases
            let loop = writeLoop
            let logger = logger
            writer = WriteQueue(capacity: options.writeQueue, metrics: metrics) { databases.database(logger: logger, on: loop)! }
        } else {
            writer = nil
        }
    }

    /// Opens the database: `init`, then each SQLite connection's lock wait set before any
    /// other use (without blocking: `open` may run on an event loop).
    public static func open(location: DatabaseLocation, logger: Logger, metrics: AppMetrics, options: PersistenceOptions = .init()) async throws -> Persistence {
        let persistence = try Persistence(location: location, logger: logger, metrics: metrics, options: options)
        do {
            try await persistence.prepareConnections()
        } catch {
            await persistence.shutdown()
            throw error
        }
        return persistence
    }

    private func prepareConnections() async throws {
        guard location.isSQLite else { return }
        // Another process (the CLI's `calendar import`, a backup) may hold the write lock:
        // wait for it instead of failing at once with SQLITE_BUSY. The writer's pool has
        // exactly one connection, kept until shutdown, so setting it once here covers every
        // write; this runs before anything else can use the connection.
        let busyTimeout: SQLQueryString = "PRAGMA busy_timeout = \(unsafeRaw: String(Self.lockWait.components.seconds * 1000))"
        try await writeSQL.raw(busyTimeout).run()
        // Each reader loop's pool holds one connection: this opens and sets each of them
        // (SQLiteNIO's own busy handler would retry without pause).
        if readDatabases !== databases {
            for loop in readGroup.makeIterator() {
                try await readDatabases.database(logger: logger, on: loop)!.sql.raw(busyTimeout).run()
            }
        }
    }

    /// How long a statement waits for a lock held by another connection before it fails
    /// as busy (SQLite `busy_timeout`: another process, such as the CLI).
    static let lockWait: Duration = .seconds(5)
    /// PostgreSQL's `lock_timeout`: every write takes the audit chain's head row in turn, so
    /// under load a write waits behind the others; 5 s turned ordinary queues into 503s in
    /// the parallel test run. 15 s still ends the wait before the pool's 30 s timeout.
    static let postgresLockWait: Duration = .seconds(15)

    /// How long a request waits for a pooled PostgreSQL connection before it is answered
    /// 503 (`ConnectionPoolTimeoutError` is busy) rather than holding its client longer.
    static let postgresPoolWait: TimeAmount = .seconds(30)

    /// A database handle for reads (SQLite: a WAL reader connection); writes go through `transaction`.
    public var db: any Database {
        readDatabases.database(logger: logger, on: readGroup.any())!
    }

    public var sql: any SQLDatabase { db.sql }

    /// PostgreSQL: write transactions admitted now (tests read it).
    var admitted: Int { admission.count }

    /// The writer's connection, outside any transaction: settings (PRAGMA), maintenance and
    /// bulk loads that must see one connection. Everything else writes through `transaction`.
    public var writeSQL: any SQLDatabase { databases.database(logger: logger, on: writeLoop)!.sql }

    /// One state change: the change, its audit record and anything else it writes
    /// commit together or not at all (DESIGN.md, "Every state change is one transaction").
    /// On SQLite it runs in the writer's next batch (`WriteQueue`); on PostgreSQL as a
    /// transaction of its own. Beyond `options.writeQueue` waiting writes: 503 at once.
    public func transaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let me = ObjectIdentifier(self)
        if WriteQueue.runningFor == me { throw WriteQueue.Nested() }
        let marked: @Sendable (any Database) async throws -> T = { db in try await WriteQueue.$runningFor.withValue(me) { try await work(db) } }
        if let writer { return try await writer.run(marked) }
        guard admission.enter() else { throw WriteQueue.Full(capacity: admission.capacity) }
        metrics.transactionsInFlight.increment()
        metrics.writeQueueDepth.increment()
        let start = ContinuousClock.now
        defer {
            admission.leave()
            metrics.transactionsInFlight.decrement()
            metrics.writeQueueDepth.decrement()
            metrics.transactionDuration.record(ContinuousClock.now - start)
        }
        return try await databases.database(logger: logger, on: writeLoop.next())!.transaction { tx in try await marked(tx) }
    }

    /// Settings that make a commit durable: WAL with synchronous=FULL on SQLite. WAL is a
    /// property of the file; `synchronous` of the writer's connection (readers do not commit).
    public func configureStorage() async throws {
        guard location.isSQLite else { return }
        let sql = writeSQL
        if case .sqliteFile = location {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        try await sql.raw("PRAGMA synchronous=FULL").run()
    }

    func migrator() -> Migrator {
        let migrations = Migrations()
        for migration in Schema.migrations { migrations.add(migration) }
        return Migrator(databases: databases, migrations: migrations, logger: logger, on: writeLoop)
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
        if readDatabases !== databases { await readDatabases.shutdownAsync() }
        try? await threadPool.shutdownGracefully()
        for group in groups { try? await group.shutdownGracefully() }
    }

    /// Lives as long as the server: keeps the pool open and closes it on shutdown.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}

/// Counts the writes admitted on PostgreSQL (SQLite's are counted by `WriteQueue`).
final class Admission: @unchecked Sendable {
    let capacity: Int
    private let lock = NSLock()
    private var admitted = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func enter() -> Bool {
        lock.withLock {
            guard admitted < capacity else { return false }
            admitted += 1
            return true
        }
    }

    func leave() { lock.withLock { admitted -= 1 } }

    var count: Int { lock.withLock { admitted } }
}
