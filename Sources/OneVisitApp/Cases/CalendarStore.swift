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

    /// The stored calendar as it is now, not through any cache (the official schedules when
    /// none is stored, as `CaseService.calendar(on:)`): what an import compares before and after.
    /// Years without a stored schedule fall back to their statutory holidays (R6.6, `WorkCalendar`).
    static func load(on db: any Database) async throws -> WorkCalendar {
        struct Row: Decodable { var day: String; var kind: String; var year: Int }
        let rows = try await db.sql.select().columns("day", "kind", "year").from(CalendarDayRow.table).all(decoding: Row.self)
        guard !rows.isEmpty else { return WorkCalendar.official }
        var calendar = WorkCalendar()
        for row in rows {
            guard let date = CalendarDate(iso8601: row.day) else { continue }
            calendar.years.insert(row.year)
            if row.kind == "holiday" { calendar.holidays.insert(date) } else { calendar.adjustedWorkdays.insert(date) }
        }
        return calendar
    }

    /// The notice numbers of `years` as stored, e.g. "国办发明电〔2026〕5号"; one per year.
    static func sources(of years: [Int], on db: any Database) async throws -> [Int: String] {
        guard !years.isEmpty else { return [:] }
        struct Row: Decodable { var year: Int; var source: String }
        let rows = try await db.sql.select().distinct().columns("year", "source").from(CalendarDayRow.table)
            .where("year", .in, years).all(decoding: Row.self)
        return Dictionary(rows.map { ($0.year, $0.source) }, uniquingKeysWith: { first, _ in first })
    }
}
