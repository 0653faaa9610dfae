import AsyncKit
import FluentKit
import FluentSQL
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PostgresNIO
@testable import SQLiteNIO
import Testing
@testable import OneVisitApp

/// Issue 10 item 9: a database busy elsewhere answers 503 with `Retry-After`, never 500.
@Suite("Busy database")
struct BusyDatabaseTests {
    @Test func isBusy_recognisesLocksAndPoolTimeouts_only() {
        #expect(Persistence.isBusy(SQLiteError(reason: .busy, message: "database is locked")))
        #expect(Persistence.isBusy(SQLiteError(reason: .locked, message: "database table is locked")))
        #expect(Persistence.isBusy(SQLiteError(reason: .busyInSnapshot, message: "database is locked")))
        #expect(!Persistence.isBusy(SQLiteError(reason: .constraintUniqueFailed, message: "UNIQUE constraint failed")))
        #expect(!Persistence.isBusy(SQLiteError(reason: .ioError, message: "disk I/O error")))
        for state in ["40001", "40P01", "55P03"] {
            #expect(Persistence.isBusy(PSQLError.server(.init(fields: [.sqlState: state, .message: "busy"]))), "\(state)")
        }
        #expect(!Persistence.isBusy(PSQLError.server(.init(fields: [.sqlState: "23505", .message: "duplicate key"]))))
        #expect(!Persistence.isBusy(PSQLError.server(.init(fields: [.sqlState: "22021", .message: "invalid byte sequence"]))))
        #expect(Persistence.isBusy(ConnectionPoolTimeoutError.connectionRequestTimeout))
        #expect(!Persistence.isBusy(ConnectionPoolError.shutdown))
        #expect(!Persistence.isBusy(AppError.notFound))
    }

    /// Holds the database from a second connection, as `onevisit calendar import` does, while
    /// the app writes: after the lock wait (5 s) the write is answered 503, not 500, and
    /// nothing of it was done.
    @Test func writeWhileAnotherConnectionHoldsTheLock_is503WithRetryAfter() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let token = try await app.token("13800000001")
            let other = try await Persistence.open(location: app.services.persistence.location, logger: TestDatabase.logger, metrics: AppMetrics())
            let api: TestResponse
            let web: TestResponse
            do {
                if app.services.config.database.isSQLite {
                    // the other Persistence's writer connection: both statements run on it
                    try await other.writeSQL.raw("BEGIN IMMEDIATE").run()
                    api = try await app.json(.post, "/api/v1/auth/logout", token: token)
                    web = try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password])
                    try await other.writeSQL.raw("ROLLBACK").run()
                } else {
                    (api, web) = try await other.transaction { tx in
                        try await (tx as! any SQLDatabase).raw("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE").run()
                        return (try await app.json(.post, "/api/v1/auth/logout", token: token),
                                try await app.form("/login", ["username": "13800000001", "password": DemoSeed.password]))
                    }
                }
            } catch {
                await other.shutdown()
                throw error
            }
            await other.shutdown()

            // check: the API's problem+json
            #expect(api.status == .serviceUnavailable, "\(api.text)")
            #expect(api.headers[.retryAfter] == "1")
            #expect(api.headers[.contentType] == "application/problem+json")
            #expect(try api.problem().code == "service.busy")
            #expect(try api.problem().title == "系统繁忙，请稍后重试")
            // the web's Chinese page
            #expect(web.status == .serviceUnavailable)
            #expect(web.headers[.retryAfter] == "1")
            #expect(web.text.contains("系统繁忙，请稍后重试"))
            // counted as 503s
            #expect(app.services.metrics.render().contains(#"status="503""#))
            // nothing was done: the same request now goes through
            let retried = try await app.json(.post, "/api/v1/auth/logout", token: token)
            #expect(retried.status == .noContent)
        }
    }
}
