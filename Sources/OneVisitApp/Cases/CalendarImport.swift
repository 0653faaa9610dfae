import FluentKit
import Foundation
import OneVisitDomain

/// What an import of holiday schedules did.
public struct CalendarImportResult: Sendable, Equatable {
    /// The years imported, ascending.
    public var years: [Int]
    /// Open cases whose promised or legal due date moved (each with an event and a new version).
    public var casesRecomputed: Int
}

extension AppServices {
    /// Imports holiday schedules, replacing the years they cover, with an audit record; then
    /// recomputes the due dates of the open cases counted on those years (R6.6: until a year's
    /// notice is imported its dates were provisional), one transaction per batch of cases.
    @discardableResult
    public func importCalendar(_ schedules: [YearSchedule]) async throws -> CalendarImportResult {
        let now = clock.now
        let before = try await persistence.transaction { tx in
            let before = try await CalendarStore.load(on: tx)
            try await CalendarStore.importSchedules(schedules, on: tx)
            try await AuditLog.append(.init(actor: "system:cli", action: "calendar.import", objectType: "calendar", objectID: schedules.map { String($0.year) }.joined(separator: ","), address: "local"), at: now, on: tx)
            return before
        }
        cases.calendarCache.clear()
        let years = schedules.map(\.year).sorted()
        let changed = try await cases.recomputeDueDates(imported: years, before: before)
        cases.calendarCache.clear()
        return CalendarImportResult(years: years, casesRecomputed: changed)
    }

    /// Recounts the due dates of every open case on the stored calendar (no import): for cases
    /// whose stored `due_on` was counted on an older rule — before R6.6, a year without a notice
    /// counted Monday–Friday only, so a case due in 2027 could be due on 元旦. Each case that
    /// moves gets an event and a new version, as on an import.
    public func recomputeDueDates() async throws -> Int {
        let current = try await CalendarStore.load(on: persistence.db)
        let changed = try await cases.recomputeDueDates(imported: [], before: current)
        cases.calendarCache.clear()
        return changed
    }
}
