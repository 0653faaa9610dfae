import FluentKit
import Foundation
import SQLKit

/// One table's row as a plain struct: the lean data path (issue 12, docs/architecture.md
/// "Data path"). Statements are built with SQLKit and rows decoded by the struct's own
/// `Codable` conformance (compiler-generated, no per-row reflection); the `CodingKeys` carry
/// the column names. A table has one row type; no Fluent model reads the same table.
protocol TableRow: Codable, Sendable {
    /// The table's name.
    static var table: String { get }
}

extension TableRow {
    /// `SELECT * FROM table` to narrow with `where`, `orderBy`, `limit`.
    static func select(on db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column(SQLLiteral.all).from(table)
    }

    /// The row with this `id`, if any.
    static func find(_ id: some Encodable & Sendable, on db: any SQLDatabase) async throws -> Self? {
        try await select(on: db).where("id", .equal, id).limit(1).first(decoding: Self.self)
    }

    /// Inserts this row (every column; nil as NULL).
    func insert(on db: any SQLDatabase) async throws {
        try await Self.insert([self], on: db)
    }

    /// Inserts these rows in one statement. The statement's head (`INSERT INTO t (columns) VALUES`)
    /// is written once per row type: serialising the quoted column names every time was a
    /// measurable part of a step (bench/RESULTS.md, issue 12); the values are bound.
    static func insert(_ rows: [Self], on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        let encoder = SQLQueryEncoder(nilEncodingStrategy: .asNil)
        var values: [any SQLExpression] = []
        var head: String?
        for row in rows {
            let encoded = try encoder.encode(row)
            if head == nil { head = InsertHeads.head(for: Self.self, columns: encoded.map(\.0), dialect: db.dialect) }
            values.append(SQLGroupExpression(encoded.map(\.1)))
        }
        try await db.raw("\(unsafeRaw: head!) \(SQLList(values))").run()
    }
}

/// `INSERT INTO "table" ("a", "b", …) VALUES` per row type, quoted by the database's dialect.
enum InsertHeads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var heads: [ObjectIdentifier: String] = [:]

    static func head<R: TableRow>(for type: R.Type, columns: [String], dialect: any SQLDialect) -> String {
        if let head = lock.withLock({ heads[ObjectIdentifier(type)] }) { return head }
        // Our own table and column names: letters and underscores, nothing to escape.
        let quote = (dialect.identifierQuote as? SQLRaw)?.sql ?? "\""
        func quoted(_ name: String) -> String { quote + name + quote }
        let head = "INSERT INTO \(quoted(R.table)) (\(columns.map(quoted).joined(separator: ", "))) VALUES"
        lock.withLock { heads[ObjectIdentifier(type)] = head }
        return head
    }
}

extension SQLSelectBuilder {
    /// Every row of the result, decoded as `R`.
    func rows<R: TableRow>(_ type: R.Type) async throws -> [R] { try await all(decoding: R.self) }

    /// The first row of the result, decoded as `R`.
    func row<R: TableRow>(_ type: R.Type) async throws -> R? { try await first(decoding: R.self) }
}

extension Database {
    /// This handle as SQLKit's: every database OneVisit runs on (SQLite, PostgreSQL) is an SQL one.
    var sql: any SQLDatabase { self as! any SQLDatabase }
}
