import Foundation
import OneVisitDomain
import SQLKit

/// Queries at scale, in-process (issue 5, bench 4): the public progress query by case number,
/// an applicant's case list, the supervision indicators cold and warm, and the process's RSS.
public enum QueryBench {
    public struct Timing: Sendable {
        public var n: Int
        public var p50: Double
        public var p99: Double
        public var perSecond: Double
        public var dictionary: [String: Any] { ["n": n, "p50_us": p50, "p99_us": p99, "qps": perSecond] }
    }

    public struct Report: Sendable {
        public var cases: Int
        public var progress: Timing
        public var applicantList: Timing
        public var kpiColdMilliseconds: Double
        public var kpiWarmMilliseconds: Double
        public var residentMegabytes: Double
        public var misses: Int
    }

    static func microseconds(_ d: Duration) -> Double { d.inSeconds * 1e6 }

    static func timing(_ values: [Double], total: Duration) -> Timing {
        Timing(n: values.count, p50: LifecycleBench.percentile(values, 0.5), p99: LifecycleBench.percentile(values, 0.99),
               perSecond: Double(values.count) / max(microseconds(total) / 1e6, 1e-9))
    }

    /// This process's resident set in MB (Linux /proc), 0 elsewhere.
    public static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else { return 0 }
        return kb / 1024
    }

    public static func run(services: AppServices, samples: [BulkSeed.Sample], lookups: Int = 20000, lists: Int = 2000) async throws -> Report {
        guard !samples.isEmpty else { throw AppError(.unprocessableContent, code: "bench.no_samples", title: "样本为空：请先运行 onevisit bench seed --samples") }
        let sql = services.persistence.sql
        let count = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(CaseRow.table)
            .first(decodingColumn: "n", as: Int.self) ?? 0
        let clock = ContinuousClock()
        // The indicators first, on a cold process (the operating system's page cache may still be warm).
        let region = RegionCode("410000")!
        let period = try services.supervision.period(from: nil, to: nil)
        let coldStart = clock.now
        _ = try await services.supervision.report(region: region, period: period)
        let cold = microseconds(clock.now - coldStart) / 1000
        var warm: [Double] = []
        for _ in 0..<5 {
            let t0 = clock.now
            _ = try await services.supervision.report(region: region, period: period)
            warm.append(microseconds(clock.now - t0) / 1000)
        }

        var misses = 0
        var progress: [Double] = []
        progress.reserveCapacity(lookups)
        let progressStart = clock.now
        for i in 0..<lookups {
            let sample = samples[i % samples.count]
            let t0 = clock.now
            let found = try await services.cases.publicProgress(number: sample.number, last4: sample.last4)
            progress.append(microseconds(clock.now - t0))
            if found == nil { misses += 1 }
        }
        let progressTotal = clock.now - progressStart

        var principals: [Principal] = []
        for sample in samples.prefix(200) {
            if let account = try await AccountRow.select(on: sql).where("login_name", .equal, sample.applicant).limit(1).row(AccountRow.self) {
                principals.append(Principal(accountID: account.id, sessionID: UUID(), role: .applicant, displayName: account.displayName,
                                            loginName: account.loginName, departmentID: nil, regionCode: nil))
            }
        }
        var list: [Double] = []
        let listStart = clock.now
        for i in 0..<(principals.isEmpty ? 0 : lists) {
            let t0 = clock.now
            let own = try await services.cases.cases(of: principals[i % principals.count])
            list.append(microseconds(clock.now - t0))
            if own.isEmpty { misses += 1 }
        }
        let listTotal = clock.now - listStart
        return Report(cases: count, progress: timing(progress, total: progressTotal), applicantList: timing(list, total: listTotal),
                      kpiColdMilliseconds: cold, kpiWarmMilliseconds: LifecycleBench.percentile(warm, 0.5),
                      residentMegabytes: residentMegabytes(), misses: misses)
    }
}
