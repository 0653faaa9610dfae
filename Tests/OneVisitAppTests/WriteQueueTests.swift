import FluentKit
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing
@testable import OneVisitApp

/// Issue 12: the bounded write queue and SQLite's group commit (`WriteQueue`).
@Suite("Write queue and group commit")
struct WriteQueueTests {
    struct Stop: Error {}

    /// A gate the first transaction waits at, so that the others queue up behind it.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var entered = false
        private var opened = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        private var enterWaiters: [CheckedContinuation<Void, Never>] = []

        /// Called inside the held transaction: reports entry, waits until opened.
        func hold() async {
            let waitersToWake: [CheckedContinuation<Void, Never>] = lock.withLock {
                entered = true
                defer { enterWaiters = [] }
                return enterWaiters
            }
            waitersToWake.forEach { $0.resume() }
            await withCheckedContinuation { continuation in
                let go = lock.withLock { opened ? true : { waiters.append(continuation); return false }() }
                if go { continuation.resume() }
            }
        }

        func waitUntilHeld() async {
            await withCheckedContinuation { continuation in
                let go = lock.withLock { entered ? true : { enterWaiters.append(continuation); return false }() }
                if go { continuation.resume() }
            }
        }

        func open() {
            let waitersToWake: [CheckedContinuation<Void, Never>] = lock.withLock {
                opened = true
                defer { waiters = [] }
                return waiters
            }
            waitersToWake.forEach { $0.resume() }
        }
    }

    static func counter(_ name: String, _ value: Int, on db: any Database) async throws {
        try await db.sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: name), \(bind: value))").run()
    }

    static func counterNames(prefix: String, on db: any SQLDatabase) async throws -> Set<String> {
        struct Row: Decodable { var name: String }
        return Set(try await db.raw("SELECT name FROM counters WHERE name LIKE \(bind: prefix + "%")").all(decoding: Row.self).map(\.name))
    }

    /// Twenty transactions queue behind a held one and commit together (SQLite: one batch);
    /// the odd ones write and then fail: each rolls back alone, the even ones are all there,
    /// and the audit chain they append to stays one unbroken chain.
    @Test func aFailingTransaction_rollsBackAlone_andTheChainStaysWhole() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let persistence = app.services.persistence
            let gate = Gate()
            let batchesBefore = persistence.writer?.batchesCommitted ?? 0
            let held = Task {
                try await persistence.transaction { tx in
                    try await Self.counter("wq-held", 0, on: tx)
                    await gate.hold()
                }
            }
            await gate.waitUntilHeld()
            let results = await withTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<20 {
                    group.addTask {
                        do {
                            try await persistence.transaction { tx in
                                try await Self.counter("wq-\(i)", i, on: tx)
                                try await AuditLog.append(.init(actor: "test", action: "wq", objectType: "counter", objectID: "wq-\(i)", address: "127.0.0.1", detail: ""), at: app.clock.now, on: tx)
                                if i % 2 == 1 { throw Stop() }
                            }
                            return (i, true)
                        } catch {
                            return (i, false)
                        }
                    }
                }
                // SQLite: all twenty wait in the queue behind the held one before the gate opens
                if let writer = persistence.writer {
                    while writer.depth < 21 { await Task.yield() }
                }
                gate.open()
                return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            try await held.value
            #expect(results.filter(\.value).map(\.key).sorted() == Array(stride(from: 0, to: 20, by: 2)))
            let names = try await Self.counterNames(prefix: "wq-", on: app.db.sql)
            #expect(names == Set(["wq-held"] + stride(from: 0, to: 20, by: 2).map { "wq-\($0)" }))
            let (checked, problem) = try await AuditLog.verify(on: app.db)
            #expect(problem == nil)
            #expect(checked >= 10)
            if let writer = persistence.writer {
                // the held one, then the twenty in as few COMMITs as the batch bound allows
                #expect(writer.batchesCommitted - batchesBefore <= 3, "\(writer.batchesCommitted - batchesBefore) batches")
            }
        }
    }

    /// The bound: with room for two, a third write while two wait is refused at once with
    /// `WriteQueue.Full`, which the app answers as busy (503 + Retry-After).
    @Test func aFullQueue_refusesAtOnce_asBusy() async throws {
        try await TestApp.run(seed: .organisation, configure: { $0.persistence.writeQueue = 2 }) { app in
            let persistence = app.services.persistence
            let gate = Gate()
            let held = Task { try await persistence.transaction { tx in try await Self.counter("full-held", 0, on: tx); await gate.hold() } }
            await gate.waitUntilHeld()
            // held too (PostgreSQL runs it at once; SQLite queues it behind the first and it passes the open gate)
            let second = Task { try await persistence.transaction { tx in try await Self.counter("full-second", 0, on: tx); await gate.hold() } }
            // the second is admitted once the depth reads 2
            while (persistence.writer?.depth ?? persistence.admitted) < 2 { await Task.yield() }
            await #expect(throws: WriteQueue.Full.self) {
                try await persistence.transaction { tx in try await Self.counter("full-third", 0, on: tx) }
            }
            #expect(Persistence.isBusy(WriteQueue.Full(capacity: 2)))
            gate.open()
            try await held.value
            try await second.value
            #expect(try await Self.counterNames(prefix: "full-", on: app.db.sql) == ["full-held", "full-second"])
        }
    }

    /// A transaction started inside another would wait for the writer running its caller (a
    /// hang on SQLite, a second connection outside the first's atomicity on PostgreSQL): refused.
    @Test func aTransactionInsideATransaction_isRefused_notAHang() async throws {
        try await TestApp.run(seed: .organisation) { app in
            let persistence = app.services.persistence
            await #expect(throws: WriteQueue.Nested.self) {
                try await persistence.transaction { tx in
                    try await Self.counter("nested-outer", 0, on: tx)
                    try await persistence.transaction { inner in try await Self.counter("nested-inner", 0, on: inner) }
                }
            }
            #expect(try await Self.counterNames(prefix: "nested-", on: app.db.sql).isEmpty)
            // and the writer is free afterwards
            try await persistence.transaction { tx in try await Self.counter("nested-after", 0, on: tx) }
            #expect(try await Self.counterNames(prefix: "nested-", on: app.db.sql) == ["nested-after"])
        }
    }

    /// The acceptance test of issue 12: 64 submits at once against a queue with room for 2
    /// get 201 or 503 with `Retry-After` (never 500), and every 201 case is in the database
    /// as another connection opening the file afterwards sees it; no 503 left a case behind.
    @Test func sixtyFourSubmits_tinyQueue_are201or503_andEvery201CaseIsThere() async throws {
        try await TestApp.run(seed: .full, configure: { $0.persistence.writeQueue = 2 }) { app in
            let implementation = try await CaseFlowTests.implementation(app, code: "XK00123001")
            let (_, files) = try await CaseFlowTests.requiredMaterials(app, implementation)
            let token = try await app.token("13800000001")
            let before = try await Self.caseCount(on: app.db.sql)
            let responses = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for _ in 0..<64 {
                    group.addTask { try await CaseFlowTests.submit(app, token: token, implementation: implementation, files: files, mode: "pickup") }
                }
                return try await group.reduce(into: [TestResponse]()) { $0.append($1) }
            }
            let statuses = responses.map(\.status.code)
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 503 }, "\(statuses)")
            for busy in responses where busy.status == .serviceUnavailable {
                #expect(busy.headers[.retryAfter] == "1")
                #expect(try busy.problem().code == "service.busy")
            }
            let created = try responses.filter { $0.status == .created }.map { try CaseFlowTests.detail($0).summary.id }
            #expect(!created.isEmpty)
            // "after a restart": a new connection to the same database, opened after the answers
            let reopened = try await Persistence.open(location: app.services.persistence.location, logger: TestDatabase.logger, metrics: AppMetrics())
            do {
                struct Row: Decodable { var id: UUID }
                let ids = Set(try await reopened.sql.raw("SELECT id FROM cases").all(decoding: Row.self).map(\.id))
                #expect(Set(created).isSubset(of: ids))
                #expect(ids.count == before + created.count, "a 503 left a case behind, or a 201 is missing")
            } catch {
                await reopened.shutdown()
                throw error
            }
            await reopened.shutdown()
        }
    }

    /// The bound and the pool come from the environment, checked like every setting.
    @Test func settings_writeQueueAndPool() async throws {
        let config = try await AppConfig.load(environment: ["ONEVISIT_WRITE_QUEUE": "8", "ONEVISIT_DATABASE_POOL": "5"])
        #expect(config.persistence.writeQueue == 8)
        #expect(config.persistence.postgresPool == 5)
        #expect(config.persistence.sqliteReaders == 5)
        #expect(try await AppConfig.load(environment: [:]).persistence == PersistenceOptions())
        for bad in ["0", "many", "-3"] {
            await #expect(throws: ConfigError.self) { try await AppConfig.load(environment: ["ONEVISIT_WRITE_QUEUE": bad]) }
        }
        await #expect(throws: ConfigError.self) { try await AppConfig.load(environment: ["ONEVISIT_DATABASE_POOL": "0"]) }
    }

    static func caseCount(on db: any SQLDatabase) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await db.raw("SELECT COUNT(*) AS n FROM cases").first(decoding: Row.self)?.n ?? 0
    }
}
