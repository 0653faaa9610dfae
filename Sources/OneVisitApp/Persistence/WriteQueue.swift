import FluentKit
import Foundation
import SQLKit

/// The writes of a database, admitted up to a bound and run by one writer (issue 12).
///
/// On SQLite every transaction handed in while the writer is busy waits in the queue; the
/// writer then runs all of them (at most `maxBatch`) in ONE `BEGIN IMMEDIATE … COMMIT` at
/// synchronous=FULL, each inside its own `SAVEPOINT`, so one that fails rolls back alone and
/// the others still commit — one fsync for the batch instead of one per transaction (group
/// commit). Nobody is answered before the COMMIT holding their work returned, i.e. is
/// durable. They run one after the other on the writer's connection, so each sees the ones
/// before it, and what must be one chain (the audit chain's head, the document counters)
/// stays one chain across a batch. Readers have their own connections (WAL) and never wait
/// for the writer.
///
/// `capacity` bounds the transactions admitted (queued + running): one more is refused at
/// once with `WriteQueue.Full`, answered 503 with `Retry-After` (`Persistence.isBusy`).
/// Written by hand: none of the packages here batches transactions.
final class WriteQueue: @unchecked Sendable {
    /// The queue holds `capacity` transactions already: nothing was done, try again later.
    struct Full: Error, CustomStringConvertible {
        var capacity: Int
        var description: String { "write queue full (\(capacity) transactions waiting)" }
    }

    /// Most transactions in one COMMIT: bounds how long the first of a batch waits for the last.
    static let maxBatch = 64

    private final class Job: @unchecked Sendable {
        let work: @Sendable (any Database) async throws -> Void
        let continuation: CheckedContinuation<Void, any Error>
        var failure: (any Error)?
        init(work: @escaping @Sendable (any Database) async throws -> Void, continuation: CheckedContinuation<Void, any Error>) {
            self.work = work
            self.continuation = continuation
        }
    }

    private final class Box<T>: @unchecked Sendable { var value: T? }

    let capacity: Int
    private let database: @Sendable () -> any Database
    private let metrics: AppMetrics
    private let lock = NSLock()
    private var waiting: [Job] = []
    private var admitted = 0
    private var draining = false
    private var batches = 0

    /// `database` hands out the writer's connection (a pool of exactly one).
    init(capacity: Int, metrics: AppMetrics, database: @escaping @Sendable () -> any Database) {
        self.capacity = max(1, capacity)
        self.metrics = metrics
        self.database = database
    }

    /// A transaction started from inside another would wait for the writer that runs its
    /// caller: a hang. It is refused instead (a programming error, answered 500 and logged).
    struct Nested: Error, CustomStringConvertible {
        var description: String { "persistence.transaction called inside a transaction: use the transaction's handle" }
    }

    /// The `Persistence` whose transaction's work is running in this task (set by `Persistence.transaction`).
    @TaskLocal static var runningFor: ObjectIdentifier?

    /// Runs `work` as one transaction of a batch; returns after the batch committed.
    func run<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let box = Box<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let job = Job(work: { db in box.value = try await work(db) }, continuation: continuation)
            let start: Bool
            lock.lock()
            if admitted >= capacity {
                lock.unlock()
                continuation.resume(throwing: Full(capacity: capacity))
                return
            }
            admitted += 1
            waiting.append(job)
            start = !draining
            draining = true
            lock.unlock()
            metrics.writeQueueDepth.increment()
            if start { Task { await self.drain() } }
        }
        return box.value!
    }

    /// Transactions admitted and not yet answered.
    var depth: Int { lock.withLock { admitted } }

    /// Batches run so far (committed or not); tests read it.
    var batchesCommitted: Int { lock.withLock { batches } }

    private func nextBatch() -> [Job] {
        lock.withLock {
            let batch = Array(waiting.prefix(Self.maxBatch))
            waiting.removeFirst(batch.count)
            if batch.isEmpty { draining = false }
            return batch
        }
    }

    private func drain() async {
        while true {
            let batch = nextBatch()
            if batch.isEmpty { return }
            await commit(batch)
            lock.withLock {
                admitted -= batch.count
                batches += 1
            }
            metrics.writeQueueDepth.decrement(by: Double(batch.count))
        }
    }

    private func commit(_ batch: [Job]) async {
        metrics.transactionsInFlight.increment()
        metrics.writeBatchSize.record(Double(batch.count))
        let start = ContinuousClock.now
        defer {
            metrics.transactionsInFlight.decrement()
            metrics.transactionDuration.record(ContinuousClock.now - start)
        }
        do {
            try await database().withConnection { connection in
                let sql = connection.sql
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    for job in batch {
                        // One alone needs no savepoint: its failure rolls the whole transaction back.
                        guard batch.count > 1 else {
                            do { try await job.work(connection) } catch { job.failure = error; throw error }
                            continue
                        }
                        try await sql.raw("SAVEPOINT job").run()
                        do {
                            try await job.work(connection)
                        } catch {
                            job.failure = error
                            try await sql.raw("ROLLBACK TO job").run()
                        }
                        try await sql.raw("RELEASE job").run()
                    }
                    try await sql.raw("COMMIT").run()
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        } catch {
            // Nothing of the batch is committed: each gets its own error, or the one that stopped the batch.
            for job in batch { job.continuation.resume(throwing: job.failure ?? error) }
            return
        }
        for job in batch {
            if let failure = job.failure { job.continuation.resume(throwing: failure) } else { job.continuation.resume() }
        }
    }
}
