import FluentKit
import OneVisitDomain
import SQLKit

/// Issue 14 point 8 (R11.3.4 a, 集中受理率): a case records where it was accepted
/// (`cases.accepted_via`, an `AcceptanceVenue`), and the KPI counters count the concentrated
/// acceptances (`kpi_counters.concentrated`). Accepted online applications are filled as
/// accepted online; the window of an earlier walk-in acceptance was never recorded and stays
/// NULL (counted as accepted, not as concentrated). The counters are then recounted from the
/// cases, so that `onevisit kpi-verify` finds no difference at once.
struct AddAcceptanceVenue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("cases").field("accepted_via", .string).update()
        let sql = database.sql
        try await sql.raw("ALTER TABLE \(ident: KPICounters.table) ADD COLUMN concentrated BIGINT NOT NULL DEFAULT 0").run()
        try await sql.raw("""
            UPDATE cases SET accepted_via = \(bind: AcceptanceVenue.online.rawValue)
            WHERE channel = \(bind: CaseChannel.online) AND clock_start IS NOT NULL
            """).run()
        try await KPICounters.rebuild(on: sql)
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("ALTER TABLE \(ident: KPICounters.table) DROP COLUMN concentrated").run()
        try await database.schema("cases").deleteField("accepted_via").update()
    }
}
