import FluentKit
import Foundation
import OneVisitDomain

extension AppServices {
    /// Imports holiday schedules, replacing the years they cover, with an audit record.
    public func importCalendar(_ schedules: [YearSchedule]) async throws {
        let now = clock.now
        try await persistence.transaction { tx in
            try await CalendarStore.importSchedules(schedules, on: tx)
            try await AuditLog.append(.init(actor: "system:cli", action: "calendar.import", objectType: "calendar", objectID: schedules.map { String($0.year) }.joined(separator: ","), address: "local"), at: now, on: tx)
        }
        cases.calendarCache.clear()
    }
}
