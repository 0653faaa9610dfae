import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

/// One entry of the public register of granted decisions (R8.5.6, `AddPublicityResults`): only
/// what is public, the holder's name masked for a natural person when it is written.
struct PublicityRow: TableRow {
    static let table = "publicity_results"
    /// The case's id: one entry per case.
    var id: UUID
    var publishedAt: Date
    var decidedOn: CalendarDate
    var itemCode: String
    var itemName: String
    var holderName: String
    var holderIsOrganisation: Bool
    /// The decision document's title (准予行政许可决定书, 行政确认决定书, …) and number.
    var decisionTitle: String
    var decisionNumber: String
    var organ: String
    var regionCode: String
    var regionName: String

    enum CodingKeys: String, CodingKey {
        case id, organ
        case publishedAt = "published_at", decidedOn = "decided_on", itemCode = "item_code", itemName = "item_name"
        case holderName = "holder_name", holderIsOrganisation = "holder_is_organisation", decisionTitle = "decision_title"
        case decisionNumber = "decision_number", regionCode = "region_code", regionName = "region_name"
    }

    /// The entry of an approved case, from its approval decision (nil without one); `organ`: the
    /// deciding department's name when the caller has it. Reads the holder's account type: an
    /// organisation's name is public in full, a person's is masked (`Publicity.holderName`).
    static func of(_ c: CaseRow, at now: Date, organ: String? = nil, on db: any Database) async throws -> PublicityRow? {
        let sql = db.sql
        guard let decision = try await CaseDocumentRow.select(on: sql).where("case_id", .equal, c.id).where("kind", .equal, CaseDocumentKind.decision)
            .orderBy("created_at", .descending).limit(1).row(CaseDocumentRow.self) else { return nil }
        let type = try await sql.select().column("applicant_type").from(AccountRow.table).where("id", .equal, c.applicantID)
            .first(decodingColumn: "applicant_type", as: String?.self) ?? nil
        var organName = organ
        if organName == nil { organName = try await DepartmentModel.find(c.departmentID, on: db)?.name }
        let region = try await RegionModel.find(c.regionCode, on: db)?.name ?? c.regionCode
        return PublicityRow(id: c.id, publishedAt: now, decidedOn: CalendarDate(date: now, timeZone: CaseService.chinaTime), itemCode: c.itemCode,
                            itemName: c.itemName, holderName: Publicity.holderName(c.applicantName, isOrganisation: type == "organisation"),
                            holderIsOrganisation: type == "organisation", decisionTitle: decision.title, decisionNumber: decision.number,
                            organ: organName ?? "", regionCode: c.regionCode, regionName: region)
    }
}

/// The public register's read path (R8.5.6): newest first, searched by item name, holder
/// name (as published: a person only by the masked form) or decision number, a page at a time.
enum PublicityService {
    struct Page: Sendable {
        var query: String
        var page: Int
        var results: [PublicityRow]
        var hasMore: Bool
    }

    /// The page's query and number from the request's `q` and `page`; a page that is not a whole
    /// number 1…1000 is refused (422 `publicity.page`), nothing guessed.
    static func request(q: String?, page: String?) throws -> (query: String, page: Int) {
        guard let number = Publicity.page(page) else {
            throw AppError.invalid("page", code: "publicity.page", "页码应为 1 至 \(Publicity.maxPage) 的整数")
        }
        return (Publicity.query(q), number)
    }

    /// One query: the index on (`published_at`, `id`) read backwards, filtered by the search,
    /// one row more than the page to know whether another page follows (no COUNT over the table).
    static func page(query: String, page: Int, on db: any Database) async throws -> Page {
        let size = Publicity.pageSize
        var select = PublicityRow.select(on: db.sql)
        if !query.isEmpty {
            let pattern = "%" + escapeLike(query) + "%"
            select = select.where { group in
                group.where("decision_number", .equal, query)
                    .orWhere(SQLIdentifier("item_name"), .like, SQLEscapedLike(pattern))
                    .orWhere(SQLIdentifier("holder_name"), .like, SQLEscapedLike(pattern))
            }
        }
        let rows = try await select.orderBy("published_at", .descending).orderBy("id", .descending)
            .limit(size + 1).offset((page - 1) * size).rows(PublicityRow.self)
        return Page(query: query, page: page, results: Array(rows.prefix(size)), hasMore: rows.count > size)
    }

    /// `%`, `_` and the escape character itself taken literally in a LIKE pattern.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch == "%" || ch == "_" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out
    }
}

/// A bound LIKE pattern with `\` as its escape character (SQLite has no default escape).
struct SQLEscapedLike: SQLExpression {
    var pattern: String
    init(_ pattern: String) { self.pattern = pattern }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(bind: pattern)
        serializer.write(" ESCAPE '\\'")
    }
}
