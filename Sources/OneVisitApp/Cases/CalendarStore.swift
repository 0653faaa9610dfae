import FluentKit
import SQLKit
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
        let sql = db.sql
        for schedule in schedules {
            try await sql.delete(from: CalendarDayRow.table).where("year", .equal, schedule.year).run()
            let rows = [("holiday", schedule.holidays), ("workday", schedule.workdays)].flatMap { kind, days in
                days.map { CalendarDayRow(day: $0, kind: kind, year: schedule.year, source: schedule.source) }
            }
            try await CalendarDayRow.insert(rows, on: sql)
        }
    }
}
