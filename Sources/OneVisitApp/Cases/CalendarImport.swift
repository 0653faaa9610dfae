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
}
