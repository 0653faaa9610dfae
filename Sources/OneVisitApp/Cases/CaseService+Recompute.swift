import FluentKit
import Foundation
import OneVisitDomain
import SQLKit

extension CaseService {
    /// Cases read and written per transaction by ``recomputeDueDates(imported:before:)``.
    static let recomputeBatch = 500

    /// R6.6: once a year's official notice is imported, the open cases (clock started and not
    /// stopped) counted on it get their due dates again: each whose promised or legal last day
    /// moved has `due_on` rewritten, its version bumped and an event saying from which day to
    /// which, with the KPI counters kept exact (`KPICounters.apply`). One transaction per batch
    /// of cases, in id order; a case changed meanwhile by a step (version moved) is left to that
    /// step, which counted on the new calendar. `imported` empty: every open case (a recount).
    /// Returns how many cases changed.
    func recomputeDueDates(imported years: [Int], before: WorkCalendar) async throws -> Int {
        let now = clock.now
        let after = try await CalendarStore.load(on: persistence.db)
        let sources = try await CalendarStore.sources(of: years, on: persistence.db)
        let note = years.compactMap { sources[$0] }.joined(separator: "；")
        // A case accepted after the last imported year does not count a day of it.
        let lastDay = years.max().map { "\($0)-12-31" }
        var changed = 0
        var cursor: UUID?
        while true {
            let from = cursor
            let batch: (changed: Int, last: UUID?, read: Int) = try await persistence.transaction { tx in
                let query = CaseRow.select(on: tx.sql).where("clock_start", .isNot, SQLLiteral.null).where("stopped_on", .is, SQLLiteral.null)
                if let lastDay { query.where("clock_start", .lessThanOrEqual, lastDay) }
                if let from { query.where("id", .greaterThan, from) }
                let rows = try await query.orderBy("id").limit(Self.recomputeBatch).rows(CaseRow.self)
                var events: [CaseEventRow] = []
                for c in rows {
                    guard let (saved, revision) = try await self.revise(c, before: before, after: after, at: now, on: tx) else { continue }
                    events.append(self.eventRow(saved, "calendarRevised", revision.eventTitle(years: years), note: note, actor: "system", at: now))
                }
                try await CaseEventRow.insert(events, on: tx.sql)
                if !events.isEmpty {
                    try await AuditLog.append(.init(actor: "system:cli", action: "calendar.recompute", objectType: "calendar",
                                                    objectID: years.map(String.init).joined(separator: ","), address: "local",
                                                    detail: "\(events.count) 件办结日调整"), at: now, on: tx)
                }
                return (events.count, rows.last?.id, rows.count)
            }
            changed += batch.changed
            cursor = batch.last
            if batch.read < Self.recomputeBatch { return changed }
        }
    }

    /// Writes `c`'s new promised due date if either clock moved; nil when nothing moved or the
    /// case was changed meanwhile.
    private func revise(_ c: CaseRow, before: WorkCalendar, after: WorkCalendar, at now: Date, on tx: any Database) async throws -> (CaseRow, DueDateRevision)? {
        guard let promised = clock(for: c), let legal = Self.statutoryClock(c),
              let revision = DueDateRevision.revise(promised: promised, legal: legal, storedPromised: c.dueOn, before: before, after: after)
        else { return nil }
        var saved = c
        saved.dueOn = revision.promised?.after ?? c.dueOn
        saved.version = c.version + 1
        saved.updatedAt = now
        let rows = try await tx.sql.raw("""
            UPDATE cases SET due_on = \(bind: saved.dueOn), version = \(bind: saved.version), updated_at = \(bind: saved.updatedAt) \
            WHERE id = \(bind: c.id) AND version = \(bind: c.version) RETURNING id
            """).all()
        guard rows.count == 1 else { return nil }
        try await KPICounters.apply(before: c, after: saved, on: tx.sql)
        return (saved, revision)
    }
}
