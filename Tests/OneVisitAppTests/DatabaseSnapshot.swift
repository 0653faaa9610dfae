import FluentKit
import FluentSQL
import Foundation
@testable import OneVisitApp

/// Every row of every table as text, sorted, so two readings compare equal exactly when
/// no row was added, removed or changed (the order rows come back in does not matter).
struct DatabaseSnapshot: Equatable {
    /// Table name → its rows, each one line of text, sorted.
    var tables: [String: [String]]

    static func take(_ db: any Database) async throws -> DatabaseSnapshot {
        let sql = db as! any SQLDatabase
        var tables: [String: [String]] = [:]
        if sql.dialect.name == "sqlite" {
            struct Name: Decodable { var name: String }
            let names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all(decoding: Name.self)
            for table in names.map(\.name) {
                let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid").all(decoding: Name.self)
                // quote() renders any SQLite value, blobs included, as an SQL literal.
                let row = columns.map { "quote(\"\($0.name)\")" }.joined(separator: " || '|' || ")
                struct Line: Decodable { var line: String }
                let lines = try await sql.raw(SQLQueryString("SELECT \(row) AS line FROM \"\(table)\"")).all(decoding: Line.self)
                tables[table] = lines.map(\.line).sorted()
            }
        } else {
            struct Name: Decodable { var tablename: String }
            let names = try await sql.raw("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").all(decoding: Name.self)
            for table in names.map(\.tablename) {
                struct Line: Decodable { var line: String }
                let lines = try await sql.raw(SQLQueryString("SELECT t::text AS line FROM \"\(table)\" t")).all(decoding: Line.self)
                tables[table] = lines.map(\.line).sorted()
            }
        }
        return DatabaseSnapshot(tables: tables)
    }

    /// What changed from `before` to `self`, a line per changed table with a few rows.
    func changes(since before: DatabaseSnapshot) -> [String] {
        var changes: [String] = []
        for table in Set(tables.keys).union(before.tables.keys).sorted() {
            let old = before.tables[table] ?? [], new = tables[table] ?? []
            guard old != new else { continue }
            let removed = Set(old).subtracting(new), added = Set(new).subtracting(old)
            var text = "\(table): \(removed.count) rows gone or changed, \(added.count) new or changed"
            for row in added.sorted().prefix(2) { text += "\n    + \(row.prefix(240))" }
            for row in removed.sorted().prefix(2) { text += "\n    - \(row.prefix(240))" }
            changes.append(text)
        }
        return changes
    }

    var rowCount: Int { tables.values.reduce(0) { $0 + $1.count } }
}
