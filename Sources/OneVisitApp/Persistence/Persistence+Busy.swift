import FluentPostgresDriver
import FluentSQLiteDriver

extension Persistence {
    /// PostgreSQL states that mean another session holds what this one needs: serialization
    /// failure, deadlock (the victim's transaction was rolled back), lock not available
    /// (`lock_timeout` ran out) and too many connections (the server's `max_connections` is
    /// taken: a new pooled connection was refused, nothing ran).
    static let busySQLStates: Set<String> = ["40001", "40P01", "55P03", "53300"]

    /// True for an error that says the database is busy rather than that the request or the
    /// data is wrong: SQLite's SQLITE_BUSY/SQLITE_LOCKED (another connection, such as the
    /// CLI's calendar import, holds the write lock past the busy timeout), PostgreSQL lock
    /// timeouts, deadlocks and serialization failures, and no pooled connection free in
    /// time, the write queue full (`WriteQueue.Full`). Nothing was committed, so the client may send the same request again; the API
    /// answers 503 with `Retry-After` instead of 500 (see `ErrorMiddleware`).
    static func isBusy(_ error: any Error) -> Bool {
        switch error {
        case let error as SQLiteError:
            switch error.reason {
            case .busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache, .lockedVirtualTable:
                return true
            default:
                return false
            }
        case let error as PSQLError:
            guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
            return busySQLStates.contains(state)
        case is ConnectionPoolTimeoutError, is WriteQueue.Full:
            return true
        default:
            return false
        }
    }
}
