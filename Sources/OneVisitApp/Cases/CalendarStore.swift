import FluentKit
import Foundation
import OneVisitDomain

/// The work calendar's rows: one per statutory holiday or adjusted working day.
enum CalendarStore {
    /// Replaces the given years with the schedules, after checking them (R: deadlines count
    /// working days on a calendar stored as data).
    static func importSchedules(_ schedules: [YearSchedule], on db: any Database) async throws {
        do { _ = try WorkCalendar.fromSchedules(schedules) } catch {
            throw AppError.invalid("calendar", code: error.code, error.message)
        }
        for schedule in schedules {
            try await CalendarDayModel.query(on: db).filter(\.$year == schedule.year).delete()
            for (kind, days) in [("holiday", schedule.holidays), ("workday", schedule.workdays)] {
                for day in days {
                    let row = CalendarDayModel()
                    row.id = day
                    row.kind = kind
                    row.year = schedule.year
                    row.source = schedule.source
                    try await row.create(on: db)
                }
            }
        }
    }
}
