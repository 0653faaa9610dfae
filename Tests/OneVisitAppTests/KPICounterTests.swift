import Foundation
import OneVisitDomain
import SQLKit
import Testing
@testable import OneVisitApp

/// The KPI counters kept in the transitions' transactions (R11.3.4 at scale, issue 12 item 4)
/// and `onevisit kpi-verify`, which recounts them from the cases.
@Suite("KPI counters")
struct KPICounterTests {
    /// Seven cases through the API, one in each main state: the counters equal a recount.
    @Test func lifecycle_keepsTheCountersExact() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let fixtures = try await CaseFixtures.make(app)
            let sql = app.services.persistence.sql
            // act
            let (buckets, differences) = try await KPICounters.verify(on: sql)
            // check
            #expect(differences.isEmpty, "\(differences.map(\.jsonLine))")
            #expect(buckets >= 1)
            let received = try #require(try await CaseRow.find(fixtures.received.summary.id, on: sql))
            let department = received.departmentID, day = received.receivedOn
            #expect(day == CalendarDate(date: TestApp.start, timeZone: CaseService.chinaTime))
            let sums = try await KPICounters.sums(departments: [department], from: day, to: day, on: sql)
            // received 7; accepted: under review, rejected, approved, delivered; decided: rejected, approved, delivered;
            // online (and not collected at the window): the delivered download; open: received, awaiting correction, under review;
            // concentrated (R11.3.4 a): the four accepted, all applied for online
            #expect(sums[department] == KPIContribution(received: 7, accepted: 4, acceptedOnTheSpot: 4, decided: 3, decidedOnTime: 3,
                                                        decidedOnline: 1, open: 3, acceptedConcentrated: 4))
            let report = try await KPIVerifyReport.run(on: app.services)
            #expect(report.summary == "kpi-verify: \(buckets) buckets, 0 differences")
        }
    }

    /// A counter changed behind the transitions' back is found and named.
    @Test func verify_reportsACorruptedCounter() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let fixtures = try await CaseFixtures.make(app)
            let sql = app.services.persistence.sql
            let c = try #require(try await CaseRow.find(fixtures.delivered.summary.id, on: sql))
            // act
            try await app.services.persistence.transaction { tx in
                try await tx.sql.update(KPICounters.table).set("decided", to: SQLRaw("decided + 1"))
                    .where("department_id", .equal, c.departmentID).where("item_code", .equal, c.itemCode).where("day", .equal, c.receivedOn).run()
            }
            // check
            let (_, differences) = try await KPICounters.verify(on: sql)
            #expect(differences.count == 1)
            let difference = try #require(differences.first)
            #expect(difference.departmentID == c.departmentID && difference.itemCode == c.itemCode && difference.day == c.receivedOn.description)
            #expect(difference.stored.decided == difference.counted.decided + 1)
            #expect(difference.jsonLine.contains(#""day":"\#(c.receivedOn)""#))
            let report = try await KPIVerifyReport.run(on: app.services)
            #expect(report.summary.hasSuffix(", 1 differences"))

            // the migration's back-fill counts them all again
            try await app.services.persistence.transaction { tx in try await KPICounters.rebuild(on: tx.sql) }
            #expect(try await KPICounters.verify(on: sql).differences.isEmpty)
        }
    }

    /// `apply` adds the difference of one change, creates a missing bucket, and writes nothing
    /// for a change no indicator sees.
    @Test func apply_addsTheDifferenceOfOneChange() async throws {
        try await TestApp.run(seed: .full) { app in
            // setup
            let fixtures = try await CaseFixtures.make(app)
            let sql = app.services.persistence.sql
            var running = try #require(try await CaseRow.find(fixtures.underReview.summary.id, on: sql))
            running.receivedOn = running.receivedOn.adding(days: -400)  // a bucket of its own, nowhere else in use
            let bucket = KPICounters.bucket(running)
            func stored() async throws -> KPIContribution? {
                try await KPICounters.sums(departments: [bucket.departmentID], from: bucket.day, to: bucket.day, on: sql)[bucket.departmentID]
            }
            // act: a new case, a change that moves nothing, then a decision on the day it is due
            try await app.services.persistence.transaction { [running] tx in
                try await KPICounters.apply(before: nil, after: running, on: tx.sql)
                var touched = running
                touched.version += 1
                touched.deliveryDetail = "改"
                try await KPICounters.apply(before: running, after: touched, on: tx.sql)
            }
            #expect(try await stored() == KPICounters.contribution(running))
            var decided = running
            decided.state = .approved
            decided.stoppedOn = running.dueOn
            try await app.services.persistence.transaction { [running, decided] tx in
                try await KPICounters.apply(before: running, after: decided, on: tx.sql)
            }
            // check
            let after = try #require(try await stored())
            #expect(after.received == 1 && after.decided == 1 && after.decidedOnTime == 1 && after.open == 0)
            #expect(after == KPICounters.contribution(decided))
        }
    }
}
