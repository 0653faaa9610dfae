import FluentKit
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
        try await db.insert(into: Self.table).model(self, nilEncodingStrategy: .asNil).run()
    }

    /// Inserts these rows in one statement.
    static func insert(_ rows: [Self], on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        try await db.insert(into: table).models(rows, nilEncodingStrategy: .asNil).run()
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
