import Foundation
import OneVisitDomain
import SQLKit

/// The public progress query behind its throttle (R7.5, issue 10 item 6): the rule is
/// `ProgressThrottle`; this stores its counts in `progress_attempts`, one row per key.
extension CaseService {
    /// What the public progress query answers.
    enum ProgressAnswer: Sendable, Equatable {
        case found(PublicProgress)
        /// A wrong last four, an unknown number and a malformed one alike: nothing tells them apart.
        case notFound
        case throttled(ProgressThrottle.Refusal)
    }

    static let progressAttempts = "progress_attempts"

    /// The progress of a case for whoever has its number and the holder's last four
    /// characters, unless the number or the address has used up its wrong tries.
    ///
    /// The number's try is counted before the case is looked up and given back when the
    /// answer was right: of any number of guesses sent at once, at most `triesPerNumber`
    /// wrong ones are answered, and the right one only if it was counted within them. The
    /// address is read first and counted after a wrong answer, so an address that is
    /// already refused cannot use up the tries of the numbers it names; its limit is the
    /// coarse one, against trying many numbers, and may be passed by the guesses in flight.
    func progress(number: String, last4: String, address: String, rule: ProgressThrottle = .standard) async throws -> ProgressAnswer {
        let now = clock.now
        let numberKey = ProgressThrottle.key(.number, number)
        let addressKey = ProgressThrottle.key(.address, address)
        if let refusal = rule.refusal(.address, earlier: try await Self.tally(addressKey, on: persistence.sql), now: now) {
            return .throttled(refusal)
        }
        // The counts are writes: one transaction of the writer counts the try, looks the case up
        // on the same connection and gives the try back or counts the address's.
        return try await persistence.transaction { tx in
            let sql = tx.sql
            let counted = try await Self.countTry(numberKey, now: now, rule: rule, on: sql)
            if let refusal = rule.refusal(.number, earlier: .init(count: counted.count - 1, windowStart: counted.windowStart), now: now) {
                return .throttled(refusal)
            }
            if let found = try await Self.publicProgress(number: number, last4: last4, on: sql) {
                try await Self.uncountTry(numberKey, now: now, rule: rule, on: sql)
                return .found(found)
            }
            _ = try await Self.countTry(addressKey, now: now, rule: rule, on: sql)
            return .notFound
        }
    }

    /// What the public progress query shows: no ids, no contact data, the applicant's name masked by the views.
    struct PublicProgress: Sendable, Equatable {
        struct Step: Sendable, Equatable { var at: Date; var title: String }
        var number: String
        var itemName: String
        var state: CaseState
        var applicantName: String
        var steps: [Step]
    }

    /// A row of the progress statement: the case's columns the query needs, with one of its events (none: nil).
    private struct ProgressRow: Decodable {
        var number: String, itemName: String, state: CaseState, applicantName: String, applicantPhone: String, applicantIDNumber: String?
        var at: Date?, title: String?
        enum CodingKeys: String, CodingKey {
            case number, state, at, title
            case itemName = "item_name", applicantName = "applicant_name", applicantPhone = "applicant_phone", applicantIDNumber = "applicant_id_number"
        }
    }

    /// Anyone may see a case's progress with its number and the last four characters of
    /// the applicant's ID number or phone; names are masked (R7.5).
    /// One statement, the case and its events joined, decoded into a plain struct: the public query is the
    /// hottest read (bench 4; through FluentKit's models it took 1.9 ms at p50, two statements and the
    /// reflection of 35 fields).
    func publicProgress(number: String, last4: String) async throws -> PublicProgress? {
        try await Self.publicProgress(number: number, last4: last4, on: persistence.sql)
    }

    /// The same on a given connection (the throttled query's, inside its transaction).
    static func publicProgress(number: String, last4: String, on sql: any SQLDatabase) async throws -> PublicProgress? {
        guard CaseNumber.isWellFormed(number) else { return nil }
        let rows = try await sql.raw("""
            SELECT c.number, c.item_name, c.state, c.applicant_name, c.applicant_phone, c.applicant_id_number, e.at, e.title
            FROM cases c LEFT JOIN case_events e ON e.case_id = c.id WHERE c.number = \(bind: number) ORDER BY e.at
            """).all(decoding: ProgressRow.self)
        guard let c = rows.first, CaseNumber.holderMatches(last4: last4, phone: c.applicantPhone, idNumber: c.applicantIDNumber) else { return nil }
        return PublicProgress(number: c.number, itemName: c.itemName, state: c.state, applicantName: c.applicantName,
                              steps: rows.compactMap { row in row.at.map { PublicProgress.Step(at: $0, title: row.title ?? "") } })
    }

    /// Forgets the counts whose window began before `cutoff`; a window still open at the
    /// clock's `now` is kept whatever the cutoff. For the periodic job, with
    /// `clock.now - ProgressThrottle.standard.window` (or earlier).
    func pruneProgressAttempts(olderThan cutoff: Date, rule: ProgressThrottle = .standard) async throws {
        let before = min(cutoff, rule.windowCutoff(now: clock.now))
        try await persistence.transaction { tx in
            try await tx.sql.delete(from: Self.progressAttempts).where("window_start", .lessThanOrEqual, SQLBind(before)).run()
        }
    }

    private struct TallyRow: Decodable {
        var tries: Int
        var windowStart: Date
        enum CodingKeys: String, CodingKey { case tries, windowStart = "window_start" }
        var tally: ProgressThrottle.Tally { .init(count: tries, windowStart: windowStart) }
    }

    /// The tries counted under a key, nil when there are none.
    static func tally(_ key: String, on sql: any SQLDatabase) async throws -> ProgressThrottle.Tally? {
        try await sql.select().columns("tries", "window_start").from(progressAttempts).where("key_hash", .equal, SQLBind(key))
            .first(decoding: TallyRow.self)?.tally
    }

    /// One more try under a key, in one statement (`ProgressThrottle.counting`: a window
    /// that has passed opens again at 1), and the tally with it.
    static func countTry(_ key: String, now: Date, rule: ProgressThrottle, on sql: any SQLDatabase) async throws -> ProgressThrottle.Tally {
        let cutoff = rule.windowCutoff(now: now)
        let row = try await sql.raw("""
            INSERT INTO progress_attempts (key_hash, window_start, tries) VALUES (\(bind: key), \(bind: now), 1)
            ON CONFLICT (key_hash) DO UPDATE SET
              tries = CASE WHEN progress_attempts.window_start > \(bind: cutoff) THEN progress_attempts.tries + 1 ELSE 1 END,
              window_start = CASE WHEN progress_attempts.window_start > \(bind: cutoff) THEN progress_attempts.window_start ELSE excluded.window_start END
            RETURNING tries, window_start
            """).first(decoding: TallyRow.self)
        return row?.tally ?? .init(count: 1, windowStart: now)
    }

    /// Gives back a try counted under a key in the window still open.
    static func uncountTry(_ key: String, now: Date, rule: ProgressThrottle, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE progress_attempts SET tries = tries - 1
            WHERE key_hash = \(bind: key) AND window_start > \(bind: rule.windowCutoff(now: now)) AND tries > 0
            """).run()
    }
}
